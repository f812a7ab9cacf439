module github.com/opsbook/opsbook

go 1.26.8

require (
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3
	go.yaml.in/yaml/v3 v3.0.6
	golang.org/x/text v0.41.0
)

require github.com/yuin/goldmark v1.8.7 // indirect
