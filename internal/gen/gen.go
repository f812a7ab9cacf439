// Package gen writes a reproducible synthetic ops repository of N valid
// records of every kind, for benchmarks and scale tests.
package gen

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Options control the generated repository.
type Options struct {
	Out       string // directory to write into (created)
	Records   int    // total records
	Seed      uint64
	SchemaDir string // copied to Out/schemas
	Progress  func(done, total int)
}

var (
	surnames = []string{"张", "李", "王", "刘", "陈", "杨", "赵", "黄", "周", "吴"}
	given    = []string{"伟", "娜", "敏", "静", "磊", "洋", "勇", "军", "杰", "婷"}
	depts    = []string{"公安局", "人社局", "卫健委", "民政局", "自然资源和规划局", "市场监管局", "税务局", "教育局", "住建局", "交通运输局", "生态环境局", "医保局", "大数据管理局", "行政审批局", "财政局", "统计局", "司法局", "文广旅局", "农业农村局", "水利局"}
	words    = []string{"数据库", "交换节点", "前置机", "目录系统", "接口网关", "表空间", "订阅审批", "资源编目", "执行计划", "查询日志", "备份任务", "证书", "负载均衡", "消息队列", "共享门户"}
)

// kinds in generation order with their share of the remaining records.
var cyclic = []string{"inspection", "ticket", "anomaly", "change", "security", "backup", "training", "kb", "document", "stats", "duty", "report"}

// Run writes the repository.
func Run(o Options) error {
	if o.Records < 1 {
		return fmt.Errorf("records must be positive")
	}
	if err := os.MkdirAll(filepath.Join(o.Out, "schemas"), 0o755); err != nil {
		return err
	}
	if err := copySchemas(o.SchemaDir, filepath.Join(o.Out, "schemas")); err != nil {
		return err
	}
	w := &writer{out: o.Out, rng: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)), dirs: map[string]bool{}}
	files := map[string]string{
		"opsbook.yaml":              "platform: 基准测试平台\ntimezone: Asia/Shanghai\n",
		"runbooks/bench-daily.yaml": "id: bench-daily\ntitle: 基准巡检\nschedule: {cron: \"30 8 * * *\", days: workdays}\nchecks:\n  - {name: portal, type: tcp, asset: asset-0000, address: \"10.32.0.1:80\", conditions: [\"[CONNECTED] == true\"]}\n",
	}
	for name, body := range files {
		if err := w.write(name, body); err != nil {
			return err
		}
	}
	nDept := min(20, max(1, o.Records/50))
	nAsset := min(200, max(1, o.Records/100))
	fixed := nDept + nAsset + 2 + 2 // departments, assets, 2 events, 2 projects
	w.depts, w.assets = nDept, nAsset
	total := o.Records
	done := 0
	tick := func() {
		done++
		if o.Progress != nil && (done%1000 == 0 || done == total) {
			o.Progress(done, total)
		}
	}
	for i := range nDept {
		if err := w.department(i); err != nil {
			return err
		}
		tick()
	}
	for i := range nAsset {
		if err := w.assetRecord(i); err != nil {
			return err
		}
		tick()
	}
	for i := range 2 {
		if err := w.event(i); err != nil {
			return err
		}
		tick()
		if err := w.project(i); err != nil {
			return err
		}
		tick()
	}
	seq := map[string]int{}
	for i := 0; i < total-fixed; i++ {
		kind := cyclic[i%len(cyclic)]
		seq[kind]++
		if err := w.record(kind, seq[kind]); err != nil {
			return err
		}
		tick()
	}
	return nil
}

func copySchemas(from, to string) error {
	files, err := filepath.Glob(filepath.Join(from, "*.yaml"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no schemas in %s", from)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(to, filepath.Base(f)), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

type writer struct {
	out           string
	rng           *rand.Rand
	dirs          map[string]bool
	depts, assets int
}

func (w *writer) write(rel, body string) error {
	p := filepath.Join(w.out, rel)
	if d := filepath.Dir(p); !w.dirs[d] {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		w.dirs[d] = true
	}
	return os.WriteFile(p, []byte(body), 0o644)
}

func (w *writer) person() string {
	return surnames[w.rng.IntN(len(surnames))] + given[w.rng.IntN(len(given))]
}
func (w *writer) dept() string  { return fmt.Sprintf("dept-%03d", w.rng.IntN(w.depts)) }
func (w *writer) asset() string { return fmt.Sprintf("asset-%04d", w.rng.IntN(w.assets)) }
func (w *writer) word() string  { return words[w.rng.IntN(len(words))] }

// day returns a date between 2024-01-01 and 2026-12-31; changes and
// everything else stay out of 2027, where the event freezes are.
func (w *writer) day() time.Time {
	return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, w.rng.IntN(365*3))
}

func (w *writer) prose(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%d. 检查%s的运行状态，确认%s正常，并记录%s的结果。\n", i+1, w.word(), w.word(), w.word())
	}
	return b.String()
}

func (w *writer) department(i int) error {
	id := fmt.Sprintf("dept-%03d", i)
	return w.write(fmt.Sprintf("content/department/2024/%s.yaml", id), fmt.Sprintf(
		"id: %s\nkind: department\ntitle: 南通市%s（%d）\nshort_name: 市%s\nstatus: active\njoined: \"2024-01-%02d\"\ncontact:\n  name: %s\n  phone: \"0513-8509%04d\"\n",
		id, depts[i%len(depts)], i, depts[i%len(depts)], 1+i%28, w.person(), i))
}

func (w *writer) assetRecord(i int) error {
	id := fmt.Sprintf("asset-%04d", i)
	types := []string{"system", "host", "database", "frontend", "network", "storage", "middleware", "data", "file"}
	return w.write(fmt.Sprintf("content/asset/2024/%s.yaml", id), fmt.Sprintf(
		"id: %s\nkind: asset\ntitle: %s %d\ntype: %s\nstatus: online\ndepartment: %s\nip: 10.32.%d.%d\nowner: %s\n",
		id, w.word(), i, types[i%len(types)], w.dept(), i/250, i%250+1, w.person()))
}

func (w *writer) event(i int) error {
	id := fmt.Sprintf("EVT-2027-%03d", i+1)
	month := 3 + i*6
	return w.write(fmt.Sprintf("content/event/2027/%s.yaml", id), fmt.Sprintf(
		"id: %s\nkind: event\ntitle: 重大活动保障 %d\nlevel: city\nstart: \"2027-%02d-10\"\nend: \"2027-%02d-12\"\nfreeze:\n  start: \"2027-%02d-08 00:00\"\n  end: \"2027-%02d-12 23:59\"\n  reason: 活动期间封网\ndepartments: [%s]\n",
		id, i+1, month, month, month, month, w.dept()))
}

func (w *writer) project(i int) error {
	id := fmt.Sprintf("prj-bench-%d", i+1)
	return w.write(fmt.Sprintf("content/project/2024/%s.yaml", id), fmt.Sprintf(
		"id: %s\nkind: project\ntitle: 基准项目 %d\nstatus: active\nstart: \"2024-01-01\"\nowner: %s\ndocument_attributes:\n  - name: phase\n    title: 阶段\n    type: enum\n    values: [设计, 实施, 验收]\n    required: true\n  - name: reviewed\n    title: 评审日期\n    type: date\n",
		id, i+1, w.person()))
}

func (w *writer) record(kind string, n int) error {
	d := w.day()
	y := d.Year()
	ds := d.Format(time.DateOnly)
	prefix := map[string]string{"inspection": "INS", "ticket": "TKT", "anomaly": "ANO", "change": "CHG", "security": "SEC", "backup": "BAK",
		"training": "TRN", "kb": "KB", "document": "DOC", "stats": "STA", "duty": "DUT", "report": "RPT"}[kind]
	id := fmt.Sprintf("%s-%d-%06d", prefix, y, n)
	var body, ext = "", ".yaml"
	switch kind {
	case "inspection":
		var items strings.Builder
		failed := 0
		for j := range 6 {
			status := "ok"
			if w.rng.IntN(20) == 0 {
				status, failed = "failed", failed+1
			}
			fmt.Fprintf(&items, "  - name: 检查项 %d\n    asset: %s\n    category: application\n    status: %s\n    value: %d\n", j+1, w.asset(), status, w.rng.IntN(100))
		}
		body = fmt.Sprintf("id: %s\nkind: inspection\ntitle: %s 日常巡检\ndate: \"%s\"\nrunbook: bench-daily\ninspector: runner\nstarted_at: \"%s 08:30\"\nfinished_at: \"%s 08:35\"\nsummary:\n  total: 6\n  passed: %d\n  failed: %d\nitems:\n%s",
			id, ds, ds, ds, ds, 6-failed, failed, items.String())
	case "ticket":
		body = fmt.Sprintf("id: %s\nkind: ticket\ntitle: %s咨询 %d\nchannel: hotline\ncategory: catalog\ndepartment: %s\nhandler: %s\npriority: normal\nstatus: resolved\nreported_at: \"%s 09:%02d\"\nresponded_at: \"%s 09:%02d\"\nresolved_at: \"%s 15:00\"\nresolution: 已远程指导完成%s操作。\n",
			id, w.word(), n, w.dept(), w.person(), ds, w.rng.IntN(30), ds, 30+w.rng.IntN(29), ds, w.word())
	case "anomaly":
		ext = ".md"
		body = fmt.Sprintf("---\nid: %s\nkind: anomaly\ntitle: %s异常 %d\ndetected_at: \"%s 10:00\"\nresolved_at: \"%s 12:00\"\nseverity: minor\nstatus: resolved\nassets: [%s]\n---\n## 现象\n\n%s\n## 处理过程\n\n%s",
			id, w.word(), n, ds, ds, w.asset(), w.prose(2), w.prose(3))
	case "change":
		ext = ".md"
		body = fmt.Sprintf("---\nid: %s\nkind: change\ntitle: %s变更 %d\ntype: config\nstatus: done\nrequester: %s\nimplementer: %s\nassets: [%s]\nwindow:\n  start: \"%s 22:00\"\n  end: \"%s 23:30\"\nrisk: low\n---\n## 实施方案\n\n%s\n## 应急预案\n\n%s\n## 回退方案\n\n%s",
			id, w.word(), n, w.person(), w.person(), w.asset(), ds, ds, w.prose(4), w.prose(2), w.prose(2))
	case "security":
		body = fmt.Sprintf("id: %s\nkind: security\ntitle: 漏洞扫描 %d\ntype: vulnerability-scan\ndate: \"%s\"\nstatus: done\nperformer: %s\nassets: [%s]\nfindings:\n  - severity: low\n    description: %s版本信息泄露\n    status: fixed\n",
			id, n, ds, w.person(), w.asset(), w.word())
	case "backup":
		body = fmt.Sprintf("id: %s\nkind: backup\ntitle: 全量备份 %d\ntype: full\nasset: %s\ndate: \"%s\"\nstarted_at: \"%s 01:00\"\nfinished_at: \"%s 02:10\"\nstatus: success\nsize_mb: %d\n",
			id, n, w.asset(), ds, ds, ds, 1000+w.rng.IntN(90000))
	case "training":
		ext = ".md"
		body = fmt.Sprintf("---\nid: %s\nkind: training\ntitle: %s培训 %d\ndate: \"%s\"\ntrainer: %s\ndepartments: [%s]\nattendees: %d\n---\n## 培训内容\n\n%s",
			id, w.word(), n, ds, w.person(), w.dept(), 5+w.rng.IntN(30), w.prose(3))
	case "kb":
		ext = ".md"
		body = fmt.Sprintf("---\nid: %s\nkind: kb\ntitle: 如何处理%s问题 %d\ncategory: howto\nupdated: \"%s\"\n---\n## 问题\n\n%s\n## 解决方法\n\n%s",
			id, w.word(), n, ds, w.prose(2), w.prose(4))
	case "document":
		ext = ".md"
		body = fmt.Sprintf("---\nid: %s\nkind: document\ntitle: %s设计文档 %d\nproject: prj-bench-%d\ncategory: design\ndate: \"%s\"\nattributes:\n  phase: 实施\n---\n## 概述\n\n%s",
			id, w.word(), n, 1+n%2, ds, w.prose(3))
	case "stats":
		var rows strings.Builder
		for j := range min(w.depts, 5) {
			fmt.Fprintf(&rows, "  - department: dept-%03d\n    catalogued: %d\n    published: %d\n    applied: %d\n    subscribed: %d\n    approved: %d\n    updated: %d\n",
				j, w.rng.IntN(200), w.rng.IntN(200), w.rng.IntN(50), w.rng.IntN(50), w.rng.IntN(50), w.rng.IntN(100))
		}
		body = fmt.Sprintf("id: %s\nkind: stats\ntitle: 部门统计 %d\nperiod_type: month\nperiod:\n  start: \"%s\"\n  end: \"%s\"\nrows:\n%s", id, n, ds, d.AddDate(0, 1, -1).Format(time.DateOnly), rows.String())
	case "duty":
		body = fmt.Sprintf("id: %s\nkind: duty\ntitle: 值班表 %d\nperiod:\n  start: \"%s\"\n  end: \"%s\"\nshifts:\n  - start: \"%s 08:30\"\n    end: \"%s 17:30\"\n    person: %s\n    role: onsite\n",
			id, n, ds, ds, ds, ds, w.person())
	case "report":
		ext = ".md"
		body = fmt.Sprintf("---\nid: %s\nkind: report\ntitle: 运维周报 %d\nperiod_type: week\nperiod:\n  start: \"%s\"\n  end: \"%s\"\nauthor: %s\nstatus: final\n---\n## 本周工作\n\n%s",
			id, n, ds, d.AddDate(0, 0, 6).Format(time.DateOnly), w.person(), w.prose(5))
	}
	return w.write(fmt.Sprintf("content/%s/%d/%s%s", kind, y, id, ext), body)
}
