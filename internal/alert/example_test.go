package alert_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/opsbook/opsbook/internal/alert"
)

func ExampleDispatcher() {
	// A stand-in for a WeCom group robot.
	robot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	}))
	defer robot.Close()

	// The runbook's alerts: list, secrets already expanded.
	notifiers, err := alert.NewAll([]map[string]any{
		{"type": "wecom", "webhook": robot.URL + "/cgi-bin/webhook/send?key=KEY"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// One dispatcher for the life of the process keeps rate limits and
	// de-duplication working across runs.
	d := alert.NewDispatcher(alert.Options{}, notifiers...)

	e := alert.Event{
		Kind: alert.KindAnomaly, Platform: "南通市政务数据共享交换平台",
		Runbook: "platform-daily", RunbookTitle: "共享交换平台日常巡检",
		Check: "portal", CheckTitle: "门户首页", Asset: "portal-web",
		AnomalyID: "ANO-2026-031", At: time.Now(), Severity: "major",
		Failed: []alert.FailedCondition{{Condition: "[STATUS] == 200", Actual: "502"}},
	}
	deliveries, err := d.Send(context.Background(), e)
	fmt.Println(e.Title())
	for _, dl := range deliveries {
		fmt.Println(dl.Notifier, dl.Status, err)
	}
	// The same alert again within ten minutes is held back.
	deliveries, _ = d.Send(context.Background(), e)
	fmt.Println(deliveries[0].Status, deliveries[0].Reason)
	// Output:
	// 【运维告警】共享交换平台日常巡检：门户首页（portal-web）检查失败
	// wecom sent <nil>
	// suppressed duplicate
}
