# opsbook — 运维台账. `make demo` runs the tool on the bundled sample;
# `make test` is what CI runs (.ci/run).
GO      ?= go
BIN     := bin/opsbook
RECORDS ?= 100000

.PHONY: build demo test bench bench-site lint fuzz gen clean

build:
	$(GO) build -o $(BIN) ./cmd/opsbook

## demo: validate the bundled sample, give it a git history in which changes
## are approved by merge (.ci/sample-history, so the site shows real approval
## evidence), build the site and serve it on 127.0.0.1:1313 behind sign-in
## (docs/demo/access.demo.yaml: demo accounts, restricted project)
DEMO := .cache/demo
demo: build
	./$(BIN) validate
	rm -rf $(DEMO) && ./.ci/sample-history $(DEMO) >/dev/null
	./$(BIN) site build --repo $(DEMO) --out public
	@echo "浏览器打开 http://127.0.0.1:1313/ 查看站点（Ctrl+C 停止）"
	@echo "演示账号 zhouming / lina / zhangwei / wangjun，密码均为 opsbook-demo（docs/demo/access.demo.yaml）"
	./$(BIN) site serve --repo $(DEMO) --out public --access docs/demo/access.demo.yaml --addr 127.0.0.1:1313

## test: vet and the whole test suite
test:
	$(GO) vet ./...
	$(GO) test -count=1 ./...

## bench: performance figures — validate 100,000 records and a 20-file pull
## request; 1,000 HTTP checks at concurrency 50; commit+push into a repo of
## 100,000 files and 20,000 commits vs the git CLI; a year of repository growth
bench: build
	RECORDS=$(RECORDS) ./.ci/bench
	$(GO) test -run '^$$' -bench . -benchmem ./internal/record ./internal/validate ./internal/condition
	$(GO) test -run '^$$' -bench Run1000HTTPChecks -benchtime 5x ./internal/runner
	$(GO) test -run '^$$' -bench IndexSize -benchtime 1x ./internal/search
	./.ci/bench-git

## bench-site: the site's figures — build time and peak RSS at 10,000 and
## 100,000 records against plain Hugo (ratio), search index bytes per page
## and per query (SITE_RECORDS=10000 for one size, RUNS_LARGE=1 for a single
## build at 100,000; TMPDIR on tmpfs keeps disk noise out)
bench-site:
	RECORDS=$(or $(SITE_RECORDS),10000,100000) ./.ci/bench-site

## lint: formatting, vet and a tidy go.mod
lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: 以上文件需要格式化"; exit 1; }
	$(GO) vet ./...
	$(GO) mod tidy -diff

## fuzz: fuzz the record loader and the allowed_signers parser for 60 s each
fuzz:
	$(GO) test ./internal/record -run '^$$' -fuzz FuzzParse -fuzztime 60s
	$(GO) test ./internal/signers -run '^$$' -fuzz FuzzParse -fuzztime 60s

## gen: write a synthetic repository of $(RECORDS) records to .cache/gen
gen: build
	rm -rf .cache/gen && ./$(BIN) gen --records $(RECORDS) --out .cache/gen

clean:
	rm -rf bin .cache
