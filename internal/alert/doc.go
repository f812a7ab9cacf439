// Package alert tells people that a check started failing (an anomaly was
// opened) or recovered: group robots of WeCom (企业微信), DingTalk (钉钉) and
// Feishu (飞书), a generic JSON webhook, and SMTP mail.
//
// Notifier types register themselves by name (restic/caddy style) and are
// built from the plain maps a runbook's or opsbook.yaml's `alerts:` list
// holds, with secrets already expanded by the runner:
//
//	alerts:
//	  - {type: wecom, webhook: "${WECOM_WEBHOOK}"}
//	  - {type: dingtalk, webhook: "${DINGTALK_WEBHOOK}", secret: "${DINGTALK_SECRET}"}
//	  - {type: feishu, webhook: "${FEISHU_WEBHOOK}", secret: "${FEISHU_SECRET}"}
//	  - {type: webhook, url: "https://ops.example.gov.cn/hook", headers: {Authorization: "Bearer ${HOOK_TOKEN}"}, secret: "${HOOK_SECRET}"}
//	  - {type: smtp, address: "mail.example.gov.cn:25", from: "opsbook@example.gov.cn",
//	     to: [oncall@example.gov.cn], username: opsbook, password: "${SMTP_PASSWORD}", starttls: true}
//
// Every entry may also carry `name`, shown in reports and errors (default:
// the type). New validates a map without doing any I/O; its errors name the
// field in Chinese and never repeat a field's value.
//
// A Dispatcher fans an Event out to every notifier concurrently, with a
// timeout per attempt, one retry on transient failures (HTTP 5xx, network
// errors, SMTP 4xx), a per-notifier rate limit and de-duplication; alerts it
// holds back are counted and summarised in that notifier's next message.
//
// Messages are Chinese. Values that come from a check (actual values, error
// text) are reduced to one line and clipped; in Markdown messages the
// characters Markdown or the robots' HTML subset would interpret are
// replaced by their full-width look-alikes, so a check's output cannot add
// formatting, links or mentions. Each message is cut to its platform's size
// limit, dropping failed conditions first.
//
// Errors never contain webhook keys or tokens (only scheme and host of a
// URL are shown) nor passwords and signing secrets; what remains is also
// scrubbed of every configured secret value.
//
// # Generic webhook payload (version 1)
//
// The webhook notifier POSTs one JSON object (Content-Type
// application/json; charset=utf-8). Fields are always present; new fields
// may be added within a version, existing ones keep their meaning:
//
//	{
//	  "version": 1,
//	  "kind": "anomaly",                   // or "recovery"
//	  "title": "【运维告警】共享交换平台日常巡检：门户首页（portal-web）检查失败",
//	  "text": "…",                         // the Chinese plain-text message
//	  "platform": "南通市政务数据共享交换平台",
//	  "runbook": "platform-daily", "runbook_title": "共享交换平台日常巡检",
//	  "check": "portal", "check_title": "门户首页", "asset": "portal-web",
//	  "anomaly_id": "ANO-2026-031",
//	  "at": "2026-11-27T08:30:05+08:00",   // RFC 3339, Asia/Shanghai unless the event says otherwise
//	  "severity": "major",                 // critical | major | minor | ""
//	  "security": false,                   // true: may be an attack, not an outage
//	  "failed": [{"condition": "[STATUS] == 200", "actual": "500"}],
//	  "error": "",                         // why the check could not run, if so
//	  "link": "https://ops.example.gov.cn/anomaly/2026/ANO-2026-031/",
//	  "suppressed": 0,                     // alerts held back since the last one sent
//	  "suppressed_sample": []              // titles of up to 5 of them
//	}
//
// Condition and actual values are clipped to 300 characters, error to 1000.
// With `secret` set, the request carries X-Opsbook-Signature:
// sha256=<hex HMAC-SHA256 of the body keyed with the secret>.
package alert
