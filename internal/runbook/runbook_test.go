package runbook

import (
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/record"
)

func TestParse(t *testing.T) {
	src := `id: daily
title: 日常巡检
schedule: {cron: "30 8 * * *", days: workdays}
timeout: 5m
concurrency: 16
retries: 2
checks:
  - name: portal
    title: 门户首页
    type: http
    asset: portal-web
    url: https://portal.example.gov.cn/
    headers: {Authorization: "Bearer ${TOKEN}"}
    conditions: ["[STATUS] == 200"]
  - name: portal
    type: tcp
    address: 127.0.0.1:1
    timeout: 3s
    retries: 0
  - name: bad
    type: tcp
    timeout: soon
`
	r, err := record.Parse("runbooks/daily.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	rb, errs := Parse(r)
	if rb.Cron != "30 8 * * *" || rb.Days != DaysWorkdays || rb.Timeout != 5*time.Minute || rb.Concurrency != 16 || rb.Retries != 2 {
		t.Errorf("runbook %+v", rb)
	}
	c := rb.Checks[0]
	if c.Label() != "门户首页" || c.Retries != 2 || c.Timeout != DefaultCheckTimeout || c.Params["url"] != "https://portal.example.gov.cn/" || c.Params["name"] != nil || len(c.Conditions) != 1 {
		t.Errorf("check 0 %+v", c)
	}
	if rb.Checks[1].Retries != 0 || rb.Checks[1].Timeout != 3*time.Second || rb.Checks[1].Label() != "portal" {
		t.Errorf("check 1 %+v", rb.Checks[1])
	}
	if len(errs) != 2 || errs[0].Pointer != "/checks/1/name" || errs[1].Pointer != "/checks/2/timeout" {
		t.Errorf("errors %+v", errs)
	}
}
