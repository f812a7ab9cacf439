# Generates internal/report/testdata/repo: a small fixed repository whose
# records straddle the year boundary (2026-W01), the Spring Festival (Q1
# 2026) and the half-year boundary (June/July 2026).
import os, sys
root = sys.argv[1]
def w(kind, year, name, text):
    d = os.path.join(root, "content", kind, str(year)); os.makedirs(d, exist_ok=True)
    open(os.path.join(d, name), "w").write(text.lstrip("\n"))

w("department", 2019, "dept-gaj.yaml", "id: dept-gaj\nkind: department\ntitle: 南通市公安局\nshort_name: 市公安局\nstatus: active\n")
w("department", 2019, "dept-rsj.yaml", "id: dept-rsj\nkind: department\ntitle: 南通市人力资源和社会保障局\nshort_name: 市人社局\nstatus: active\n")
w("department", 2019, "dept-wjw.yaml", "id: dept-wjw\nkind: department\ntitle: 南通市卫生健康委员会\nshort_name: 市卫健委\nstatus: active\n")
w("department", 2019, "dept-old.yaml", "id: dept-old\nkind: department\ntitle: 南通市已撤并单位\nshort_name: 已撤并单位\nstatus: inactive\n")
w("asset", 2019, "exchange-sys.yaml", "id: exchange-sys\nkind: asset\ntitle: 数据交换系统\ntype: system\nstatus: online\n")
w("asset", 2019, "exchange-db.yaml", "id: exchange-db\nkind: asset\ntitle: 交换库\ntype: database\nparent: exchange-sys\nstatus: online\n")
w("asset", 2019, "portal-web.yaml", "id: portal-web\nkind: asset\ntitle: 共享交换门户\ntype: system\nstatus: online\n")

# Inspections: (date, portal status, db status, tablespace %)
ins = [
  ("2025-12-22", "ok", "ok", 70.0), ("2025-12-29", "ok", "ok", 70.5), ("2025-12-31", "ok", "failed", 70.8),
  ("2026-01-02", "ok", "ok", 71.0), ("2026-01-04", "warning", "ok", 71.2), ("2026-01-06", "ok", "ok", 71.3),
  ("2026-02-13", "ok", "ok", 72.0), ("2026-02-17", "ok", "failed", 72.1), ("2026-02-24", "ok", "ok", 72.5),
  ("2026-03-31", "ok", "ok", 74.0),
  ("2026-06-01", "ok", "ok", 76.0), ("2026-06-10", "ok", "ok", 77.5), ("2026-06-20", "failed", "ok", 79.0),
  ("2026-06-26", "ok", "ok", 80.2), ("2026-06-28", "failed", "ok", 80.5), ("2026-06-29", "ok", "ok", 80.8),
  ("2026-06-30", "failed", "ok", 81.1), ("2026-07-01", "ok", "ok", 81.4), ("2026-07-03", "ok", "ok", 81.9),
]
for d, portal, db, ts in ins:
    y = d[:4]; md = d[5:7] + d[8:10]
    i = f"INS-{y}-{md}-daily"
    ok = [portal, db, "ok"].count("ok"); failed = [portal, db, "ok"].count("failed"); warn = [portal, db, "ok"].count("warning")
    w("inspection", y, i + ".yaml", f"""
id: {i}
kind: inspection
title: 平台日常巡检（{d}）
date: {d}
inspector: 王强
summary: {{total: 4, passed: {ok}, failed: {failed}, warnings: {warn}}}
items:
  - name: 门户首页可用
    asset: portal-web
    category: application
    status: {portal}
  - name: 交换库连接
    asset: exchange-db
    category: database
    status: {db}
  - name: 交换库表空间使用率
    asset: exchange-db
    category: database
    status: ok
    value: {ts}
  - name: 备用链路
    category: network
    status: skipped
""")

def ano(i, y, title, det, res, sev, status):
    extra = f"resolved_at: {res}\n" if res else ""
    w("anomaly", y, i + ".md", f"""
---
id: {i}
kind: anomaly
title: {title}
detected_at: {det}
{extra}severity: {sev}
status: {status}
assets: [exchange-db]
---

处置过程略。
""")
ano("ANO-2025-009", 2025, "跨年夜交换库连接中断", "2025-12-31 23:10", "2026-01-01 01:40", "major", "resolved")
ano("ANO-2026-001", 2026, "春节期间交换库连接失败", "2026-02-17 09:00", "2026-02-17 15:00", "critical", "resolved")
ano("ANO-2026-002", 2026, "门户首页间歇性超时", "2026-06-20 10:00", "2026-07-02 10:00", "minor", "resolved")
ano("ANO-2026-003", 2026, "门户证书即将到期", "2026-07-03 09:00", None, "minor", "open")

SECTIONS = "\n## 实施方案\n\n步骤略。\n\n## 应急预案\n\n预案略。\n\n## 回退方案\n\n回退略。\n"
def chg(i, y, title, typ, status, start, end, emergency=False, extra=""):
    em = "emergency: true\nemergency_justification: 春节期间交换库故障，需立即修复以保障民生数据交换。\n" if emergency else ""
    w("change", y, i + ".md", f"""
---
id: {i}
kind: change
title: {title}
type: {typ}
status: {status}
requester: 张伟
implementer: 赵磊
assets: [exchange-db]
window:
  start: {start}
  end: {end}
{em}risk: medium
{extra}---
""" + SECTIONS)
chg("CHG-2025-020", 2025, "交换库参数优化", "optimization", "done", "2025-12-30 20:00", "2025-12-30 22:00")
chg("CHG-2026-001", 2026, "春节期间交换库故障修复", "fault-repair", "done", "2026-02-17 10:00", "2026-02-17 12:00", emergency=True)
chg("CHG-2026-002", 2026, "调休上班日白天的门户升级（回退）", "upgrade", "rolled-back", "2026-02-14 20:00", "2026-02-14 23:00")
chg("CHG-2026-003", 2026, "交换库迁移（取消）", "data-migration", "cancelled", "2026-03-10 20:00", "2026-03-10 23:00")
chg("CHG-2026-004", 2026, "半年末操作系统补丁", "os-change", "done", "2026-06-30 21:00", "2026-07-01 01:00")

def tkt(i, y, title, dept, cat, prio, rep, resp, res, channel="hotline", status="closed"):
    r = f"responded_at: {resp}\n" if resp else ""
    s = f"resolved_at: {res}\n" if res else ""
    w("ticket", y, i + ".yaml", f"""
id: {i}
kind: ticket
title: {title}
channel: {channel}
category: {cat}
department: {dept}
handler: 李娜
priority: {prio}
status: {status}
reported_at: {rep}
{r}{s}""")
tkt("TKT-2025-050", 2025, "跨年夜数据申请咨询", "dept-gaj", "apply", "normal", "2025-12-31 16:00", "2025-12-31 16:05", "2025-12-31 17:00")
tkt("TKT-2026-001", 2026, "春节前资源申请", "dept-gaj", "apply", "normal", "2026-02-10 09:00", "2026-02-10 09:10", "2026-02-10 11:00")
tkt("TKT-2026-002", 2026, "春节后资源申请", "dept-gaj", "apply", "high", "2026-02-24 09:00", "2026-02-24 10:30", "2026-02-24 20:00")
tkt("TKT-2026-003", 2026, "资源申请被退回", "dept-gaj", "apply", "normal", "2026-03-02 14:00", "2026-03-02 14:20", "2026-03-03 09:00", channel="consulting")
tkt("TKT-2026-004", 2026, "订阅接口报错", "dept-rsj", "interface", "urgent", "2026-06-29 09:00", "2026-06-29 09:10", "2026-06-29 12:00", channel="leadership")
tkt("TKT-2026-005", 2026, "账号解锁", "dept-wjw", "account", "low", "2026-07-02 10:00", None, None, status="open")

def sec(i, y, title, typ, date, status, next_due=None, findings=""):
    nd = f"next_due: {next_due}\n" if next_due else ""
    w("security", y, i + ".yaml", f"""
id: {i}
kind: security
title: {title}
type: {typ}
date: {date}
status: {status}
performer: 赵磊
{nd}{findings}""")
sec("SEC-2025-010", 2025, "2025 年第四季度口令更换", "password-rotation", "2025-12-28", "done", "2026-03-28")
sec("SEC-2026-001", 2026, "2026 年第一季度口令更换", "password-rotation", "2026-03-31", "done", "2026-06-28")
sec("SEC-2026-002", 2026, "2026 年第二季度口令更换", "password-rotation", "2026-06-30", "done", "2026-09-28")
sec("SEC-2026-003", 2026, "春节后漏洞扫描", "vulnerability-scan", "2026-02-26", "done", None,
    "findings:\n  - {severity: high, description: OpenSSH 版本过低, status: open}\n  - {severity: low, description: 横幅泄露版本, status: accepted}\n")
sec("SEC-2026-004", 2026, "上半年病毒查杀", "virus-scan", "2026-06-15", "planned")

def bak(i, y, date, status, verified, holiday=""):
    h = f"holiday: {holiday}\n" if holiday else ""
    w("backup", y, i + ".yaml", f"""
id: {i}
kind: backup
title: 交换库全量备份（{date}）
type: full
asset: exchange-db
date: {date}
{h}started_at: {date} 01:00
status: {status}
verified: {str(verified).lower()}
""")
bak("BAK-2025-100", 2025, "2025-12-31", "success", True)
bak("BAK-2026-001", 2026, "2026-01-01", "success", False, "元旦")
bak("BAK-2026-010", 2026, "2026-02-15", "success", True, "春节")
bak("BAK-2026-011", 2026, "2026-02-17", "failed", False, "春节")
bak("BAK-2026-012", 2026, "2026-02-19", "partial", False, "春节")
bak("BAK-2026-013", 2026, "2026-02-21", "success", True, "春节")
bak("BAK-2026-020", 2026, "2026-06-30", "success", True)
bak("BAK-2026-021", 2026, "2026-07-01", "success", False)

w("training", 2026, "TRN-2026-001.md", """
---
id: TRN-2026-001
kind: training
title: 春节后资源申请操作培训
date: 2026-03-05
trainer: 李娜
departments: [dept-gaj]
attendees: 24
duration_hours: 2
---

培训内容略。
""")
w("training", 2026, "TRN-2026-002.md", """
---
id: TRN-2026-002
kind: training
title: 年中接口订阅培训
date: 2026-06-29
trainer: 李娜
attendees: 18
duration_hours: 1.5
---

培训内容略。
""")
w("event", 2026, "EVT-2026-001.yaml", """
id: EVT-2026-001
kind: event
title: 2026 年春节保障
start: 2026-02-15
end: 2026-02-23
freeze:
  start: 2026-02-15 00:00
  end: 2026-02-23 23:59
""")

def stats(i, y, ptype, start, end, rows):
    body = "".join(f"  - {{department: {d}, catalogued: {a}, published: {b}, applied: {c}, subscribed: {e}, approved: {f}, updated: {g}}}\n" for d, a, b, c, e, f, g in rows)
    w("stats", y, i + ".yaml", f"""
id: {i}
kind: stats
title: {i} 各部门资源共享统计
period_type: {ptype}
period: {{start: {start}, end: {end}}}
rows:
{body}""")
stats("STA-2026-M01", 2026, "month", "2026-01-01", "2026-01-31", [("dept-gaj", 5, 4, 3, 2, 3, 1), ("dept-rsj", 2, 2, 1, 1, 1, 0)])
stats("STA-2026-M02", 2026, "month", "2026-02-01", "2026-02-28", [("dept-gaj", 1, 1, 6, 2, 5, 0), ("dept-rsj", 3, 3, 0, 0, 0, 2)])
stats("STA-2026-M03", 2026, "month", "2026-03-01", "2026-03-31", [("dept-gaj", 2, 2, 2, 2, 2, 2), ("dept-wjw", 0, 0, 1, 0, 1, 0)])
stats("STA-2026-Q1", 2026, "quarter", "2026-01-01", "2026-03-31", [("dept-gaj", 8, 7, 11, 6, 10, 3), ("dept-rsj", 5, 5, 1, 1, 1, 2), ("dept-wjw", 0, 0, 1, 0, 1, 0)])
stats("STA-2026-M06", 2026, "month", "2026-06-01", "2026-06-30", [("dept-rsj", 4, 4, 2, 3, 2, 5), ("dept-wjw", 1, 1, 0, 0, 0, 0)])
stats("STA-2026-M07", 2026, "month", "2026-07-01", "2026-07-31", [("dept-gaj", 3, 3, 3, 3, 3, 3)])
open(os.path.join(root, "opsbook.yaml"), "w").write("platform: 南通市政务数据共享交换平台（测试）\ntimezone: Asia/Shanghai\nreports:\n  sla:\n    high: {respond_minutes: 60, resolve_hours: 8}\n")

os.makedirs(os.path.join(root, "content", "obligation", "2025"), exist_ok=True)
open(os.path.join(root, "content", "obligation", "2025", "password-rotation.yaml"), "w").write("""id: password-rotation
kind: obligation
title: 定期更换口令（每 90 天）
owner: 赵磊
start: 2025-09-28
rule:
  type: every-n-days
  every_days: 90
  adjust: next-workday
lead_days: 7
grace_days: 7
proof:
  kind: security
  match: {type: password-rotation, status: done}
""")
open(os.path.join(root, "content", "obligation", "2025", "holiday-backup.yaml"), "w").write("""id: holiday-backup
kind: obligation
title: 法定节假日首日交换库全量备份
owner: 王强
start: 2025-12-01
rule:
  type: holiday
  holiday_days: first
proof:
  kind: backup
  match: {type: full, status: success}
  holiday_field: holiday
""")
