package gitrepo

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestGitBenchmark prints the figures of .ci/bench-git. It runs only when
// OPSBOOK_BENCH_GIT names a scratch directory (the script passes
// .cache/bench-git); the fixture built there is reused while it is complete.
//
//	(a) Commit+Push of one run's records into a repository with
//	    BENCH_FILES files and BENCH_COMMITS commits (median of 5);
//	(b) `git add && git commit && git push` of the same on the same repo;
//	(c) a year of daily runs of 300 checks: how much the packed repository
//	    grows after `git gc`.
func TestGitBenchmark(t *testing.T) {
	dir := os.Getenv("OPSBOOK_BENCH_GIT")
	if dir == "" {
		t.Skip("set OPSBOOK_BENCH_GIT=DIR (see .ci/bench-git)")
	}
	requireGit(t)
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := envInt("BENCH_FILES", 100000)
	commits := envInt("BENCH_COMMITS", 20000)
	runs := envInt("BENCH_RUNS", 5)
	days := envInt("BENCH_DAYS", 365)
	fixture := filepath.Join(dir, fmt.Sprintf("fixture-%d-%d", files, commits))
	if _, err := os.Stat(filepath.Join(fixture, ".complete")); err != nil {
		buildFixture(t, fixture, files, commits)
	}
	remote := filepath.Join(fixture, "remote.git")
	work := filepath.Join(fixture, "work")
	figure("仓库", "%d 个文件，%d 个提交（git fast-import 生成），远程为本地裸仓库", files, commits)

	// Warm the page cache and both code paths once, then measure.
	seq := int(time.Now().Unix())
	commitOurs := func(push bool) time.Duration {
		seq++
		changes := runRecords(t, work, seq)
		start := time.Now()
		res, err := Commit(ctxT(t), work, changes, CommitOptions{Message: "巡检 " + strconv.Itoa(seq), AuthorName: "runner", AuthorEmail: "runner@opsbook.invalid", Push: push})
		took := time.Since(start)
		if err != nil || (push && !res.Pushed) || len(res.Warnings) > 0 {
			t.Fatalf("Commit: %+v %v", res, err)
		}
		return took
	}
	commitCLI := func() time.Duration {
		seq++
		changes := runRecords(t, work, seq)
		args := []string{"add", "--"}
		for _, c := range changes {
			args = append(args, c.Path)
		}
		start := time.Now()
		runGit(t, work, args...)
		runGit(t, work, "commit", "-q", "-m", "巡检 "+strconv.Itoa(seq))
		runGit(t, work, "push", "-q", "origin", "main")
		return time.Since(start)
	}
	commitOurs(true)
	commitCLI()
	var ours, local, cli []time.Duration
	for range runs {
		ours = append(ours, commitOurs(true))
		cli = append(cli, commitCLI())
		local = append(local, commitOurs(false))
	}
	runGit(t, work, "push", "-q", "origin", "main")
	if runGit(t, work, "rev-parse", "HEAD") != runGit(t, remote, "rev-parse", "main") {
		t.Fatal("remote does not have the measured commits")
	}
	assertClean(t, work)
	figure("(a) opsbook Commit+Push", "%s（中位数，%d 次：%s）", median(ours), runs, list(ours))
	figure("    其中仅本地提交", "%s（中位数，%d 次）", median(local), runs)
	figure("(b) git add+commit+push", "%s（中位数，%d 次：%s）", median(cli), runs, list(cli))
	figure("    opsbook / git CLI", "%.2f", float64(median(ours))/float64(median(cli)))
	if median(ours) >= time.Second || median(ours) >= median(cli) {
		t.Errorf("target missed: ours %s must be under 1 s and faster than the git CLI %s", median(ours), median(cli))
	}

	growth(t, filepath.Join(dir, "growth"), days)
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func figure(label, format string, args ...any) {
	fmt.Printf("BENCH %-26s %s\n", label, fmt.Sprintf(format, args...))
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2].Round(time.Millisecond)
}

func list(d []time.Duration) string {
	var parts []string
	for _, x := range d {
		parts = append(parts, x.Round(time.Millisecond).String())
	}
	return strings.Join(parts, " ")
}

// runRecords writes one run's records (an inspection and an anomaly) into
// the work tree, as the runner does, and returns them as changes.
func runRecords(t *testing.T, work string, seq int) []Change {
	ins := fmt.Sprintf("content/inspection/2026/INS-2026-bench-%d-platform-daily.yaml", seq)
	ano := fmt.Sprintf("content/anomaly/2026/ANO-2026-bench-%d.md", seq)
	r := rand.New(rand.NewPCG(uint64(seq), 1))
	files := map[string]string{ins: inspectionYAML(r, "2026-11-27", seq, 300), ano: anomalyMD(seq)}
	var out []Change
	for _, p := range []string{ins, ano} {
		writeFile(t, work, p, files[p])
		out = append(out, Change{Path: p, Content: []byte(files[p])})
	}
	return out
}

var benchAssets = []string{"portal-web", "exchange-db", "app-host-01", "db-host-01", "san-storage", "core-switch", "fep-gaj", "fep-rsj", "fep-wjw", "fep-scjgj", "fep-ybj", "catalog-api", "open-data-api"}

// inspectionYAML renders an inspection record of n check items, about 150
// bytes each, shaped like content/inspection/ in the sample repository.
func inspectionYAML(r *rand.Rand, date string, seq, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "id: INS-%s-%d-platform-daily\nkind: inspection\ntitle: %s 共享交换平台日常巡检\ndate: %s\nrunbook: platform-daily\ninspector: runner\n", date, seq, date, date)
	fmt.Fprintf(&b, "started_at: %s 08:30:00\nfinished_at: %s 08:3%d:%02d\n", date, date, r.IntN(4), r.IntN(60))
	failed := 0
	var items strings.Builder
	for i := range n {
		asset := benchAssets[i%len(benchAssets)]
		status := "ok"
		if r.IntN(100) == 0 {
			status, failed = "failed", failed+1
		}
		switch i % 3 {
		case 0:
			fmt.Fprintf(&items, "  - name: 检查项 %03d 磁盘与内存\n    asset: %s\n    category: hardware\n    status: %s\n    value: %.1f\n    message: 最高分区 /opt %.1f%%，内存 %d%%，负载 %.1f\n",
				i, asset, status, 40+r.Float64()*40, 40+r.Float64()*40, 30+r.IntN(60), r.Float64()*8)
		case 1:
			fmt.Fprintf(&items, "  - name: 检查项 %03d 连通性\n    asset: %s\n    category: network\n    status: %s\n    value: 已连接 %dms\n",
				i, asset, status, 1+r.IntN(40))
		default:
			fmt.Fprintf(&items, "  - name: 检查项 %03d 接口响应\n    asset: %s\n    category: application\n    status: %s\n    value: %dms\n    message: HTTP 200，证书剩余 %d 天\n",
				i, asset, status, 20+r.IntN(400), 30+r.IntN(300))
		}
	}
	fmt.Fprintf(&b, "summary: {total: %d, passed: %d, failed: %d, warnings: 0}\nitems:\n%s", n, n-failed, failed, items.String())
	return b.String()
}

func anomalyMD(seq int) string {
	return fmt.Sprintf("---\nid: ANO-2026-bench-%d\nkind: anomaly\ntitle: 门户首页响应超时\nasset: portal-web\nseverity: major\nstatus: open\nreported_at: 2026-11-27 08:31\ninspection: INS-2026-bench-%d-platform-daily\n---\n\n## 现象\n\n巡检发现门户首页响应时间超过 2 秒（实测 3.4 秒）。\n\n## 处理\n\n待驻场工程师排查。\n", seq, seq)
}

// buildFixture makes a repository of files files in commits commits with
// git fast-import, packs it, and makes a bare remote and a work clone.
func buildFixture(t *testing.T, fixture string, files, commits int) {
	t.Helper()
	start := time.Now()
	if err := os.RemoveAll(fixture); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(fixture, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	runGit(t, src, "init", "-q", "-b", "main")
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir = src
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if err := fastImportStream(in, files, commits); err != nil {
		t.Fatal(err)
	}
	if err := in.Close(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("git fast-import: %v", err)
	}
	runGit(t, src, "gc", "-q")
	remote := filepath.Join(fixture, "remote.git")
	runGit(t, fixture, "clone", "-q", "--bare", src, remote)
	runGit(t, fixture, "clone", "-q", remote, filepath.Join(fixture, "work"))
	if err := os.RemoveAll(src); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fixture, ".complete"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	figure("生成测试仓库", "%s", time.Since(start).Round(time.Second))
}

var fixtureKinds = []struct{ dir, prefix, ext string }{
	{"inspection", "INS", "yaml"}, {"anomaly", "ANO", "md"}, {"inspection", "INS", "yaml"},
	{"change", "CHG", "md"}, {"ticket", "TKT", "yaml"}, {"inspection", "INS", "yaml"},
	{"security", "SEC", "yaml"}, {"backup", "BAK", "yaml"}, {"event", "EVT", "yaml"},
	{"training", "TRN", "md"}, {"kb", "KB", "md"}, {"document", "DOC", "md"},
	{"stats", "STA", "yaml"}, {"duty", "DUT", "yaml"}, {"report", "RPT", "md"}, {"ticket", "TKT", "yaml"},
}

// fastImportStream writes commits commits adding files files in all, spread
// over content/<kind>/<year>/ for 2016–2026.
func fastImportStream(w io.Writer, files, commits int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	when := time.Date(2016, 1, 1, 9, 0, 0, 0, time.FixedZone("CST", 8*3600)).Unix()
	step := int64(11*365*24*3600) / int64(commits)
	n := 0
	for i := range commits {
		per := files / commits
		if i < files%commits {
			per++
		}
		year := 2016 + i*11/commits
		k := fixtureKinds[i%len(fixtureKinds)]
		msg := fmt.Sprintf("%s 记录 %d", k.dir, i)
		ts := when + int64(i)*step
		fmt.Fprintf(bw, "commit refs/heads/main\nauthor 张伟 <zhangwei@example.invalid> %d +0800\ncommitter 张伟 <zhangwei@example.invalid> %d +0800\ndata %d\n%s\n", ts, ts, len(msg), msg)
		for range per {
			id := fmt.Sprintf("%s-%d-%06d", k.prefix, year, n)
			body := fmt.Sprintf("id: %s\nkind: %s\ntitle: 第 %d 号%s记录\ndate: %d-%02d-%02d\nnotes: 由基准测试生成，用于衡量大仓库上的提交与推送耗时。序号 %d。\n", id, k.dir, n, k.dir, year, 1+n%12, 1+n%28, n)
			if k.ext == "md" {
				body = "---\n" + body + "---\n\n## 说明\n\n" + strings.Repeat("这是一段用于填充正文的说明文字。", 4) + "\n"
			}
			fmt.Fprintf(bw, "M 100644 inline content/%s/%d/%s.%s\ndata %d\n%s\n", k.dir, year, id, k.ext, len(body), body)
			n++
		}
	}
	return bw.Flush()
}

// growth simulates days daily runs of 300 checks (one inspection record of
// about 45 KB each, an anomaly about once a week) committed and pushed with
// Commit, and reports how much `git gc` packs the remote grew.
func growth(t *testing.T, dir string, days int) {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	remote := filepath.Join(dir, "remote.git")
	runGit(t, dir, "init", "-q", "--bare", "-b", "main", remote)
	work := filepath.Join(dir, "work")
	runGit(t, dir, "clone", "-q", remote, work)
	writeFile(t, work, "README.md", "# 运维台账\n")
	runGit(t, work, "add", "README.md")
	runGit(t, work, "commit", "-q", "-m", "初始化")
	runGit(t, work, "push", "-q", "origin", "main")
	runGit(t, remote, "gc", "-q")
	before := packedKiB(t, remote)
	r := rand.New(rand.NewPCG(2026, 365))
	day := time.Date(2026, 1, 1, 8, 30, 0, 0, time.FixedZone("CST", 8*3600))
	raw := 0
	start := time.Now()
	for d := range days {
		date := day.Format("2006-01-02")
		content := inspectionYAML(r, date, d, 300)
		changes := []Change{{Path: fmt.Sprintf("content/inspection/2026/INS-%s-platform-daily.yaml", date), Content: []byte(content)}}
		if d%7 == 3 {
			changes = append(changes, Change{Path: fmt.Sprintf("content/anomaly/2026/ANO-%s-portal.md", date), Content: []byte(anomalyMD(d))})
		}
		for _, c := range changes {
			raw += len(c.Content)
		}
		res, err := Commit(ctxT(t), work, changes, CommitOptions{Message: "巡检 " + date, AuthorName: "runner", AuthorEmail: "runner@opsbook.invalid", When: day, Push: true})
		if err != nil || !res.Pushed {
			t.Fatalf("day %d: %+v %v", d, res, err)
		}
		day = day.AddDate(0, 0, 1)
	}
	took := time.Since(start)
	runGit(t, remote, "gc", "-q")
	after := packedKiB(t, remote)
	assertFsck(t, remote)
	assertClean(t, work)
	figure("(c) 一年增长", "%.1f MiB（git gc 后 pack 由 %.1f MiB 到 %.1f MiB；%d 次运行，记录原文共 %.1f MiB，逐日提交推送共 %s）",
		float64(after-before)/1024, float64(before)/1024, float64(after)/1024, days, float64(raw)/(1<<20), took.Round(time.Second))
	if after-before >= 50*1024 {
		t.Errorf("target missed: growth %.1f MiB must be under 50 MB", float64(after-before)/1024)
	}
}

// packedKiB is the size of the repository's packs and loose objects.
func packedKiB(t *testing.T, repo string) int {
	t.Helper()
	total := 0
	for _, line := range strings.Split(runGit(t, repo, "count-objects", "-v"), "\n") {
		k, v, _ := strings.Cut(line, ": ")
		if k == "size" || k == "size-pack" {
			n, _ := strconv.Atoi(v)
			total += n
		}
	}
	return total
}
