package runner_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/runbook"
	"github.com/opsbook/opsbook/internal/runner"
	"github.com/opsbook/opsbook/internal/testrepo"
	"github.com/opsbook/opsbook/internal/validate"
	"github.com/opsbook/opsbook/internal/workspace"
)

// gitCmd runs git in dir and returns its output.
func gitCmd(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=测试", "GIT_AUTHOR_EMAIL=t@example.invalid",
		"GIT_COMMITTER_NAME=测试", "GIT_COMMITTER_EMAIL=t@example.invalid")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// opsRepo makes a bare remote and a clone holding the schemas, one asset
// and the given runbook, committed and pushed. It returns the clone.
func opsRepo(t testing.TB, runbookYAML string) (clone, remote string) {
	t.Helper()
	base := t.TempDir()
	remote = filepath.Join(base, "remote.git")
	gitCmd(t, base, "init", "-q", "--bare", "-b", "main", remote)
	clone = filepath.Join(base, "ops")
	gitCmd(t, base, "clone", "-q", remote, clone)
	testrepo.AddSchemas(t, clone)
	files := map[string]string{
		"opsbook.yaml":                        "platform: 测试平台\ntimezone: Asia/Shanghai\n",
		"content/asset/2026/portal-web.yaml":  "id: portal-web\nkind: asset\ntitle: 门户\ntype: system\nstatus: online\n",
		"content/asset/2026/exchange-db.yaml": "id: exchange-db\nkind: asset\ntitle: 交换库\ntype: database\nstatus: online\n",
		"runbooks/probe.yaml":                 runbookYAML,
	}
	testrepo.Write(t, clone, files)
	gitCmd(t, clone, "add", ".")
	gitCmd(t, clone, "commit", "-qm", "初始化")
	gitCmd(t, clone, "push", "-q", "origin", "main")
	return clone, remote
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func load(t testing.TB, root string) *runbook.Runbook {
	t.Helper()
	rp, err := workspace.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	rb, vs, err := runner.LoadRunbook(rp, "probe")
	if err != nil || len(vs) > 0 {
		t.Fatalf("runbook: %v %v", err, vs)
	}
	return rb
}

func mustValidate(t testing.TB, root string) {
	t.Helper()
	res, err := validate.Run(context.Background(), validate.Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range res.Violations {
		t.Errorf("written records do not validate: %s", v)
	}
}

func TestRunLifecycle(t *testing.T) {
	var healthy atomic.Bool
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		if !healthy.Load() || n == 1 { // the very first call fails: a flap the re-check absorbs
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.Write([]byte(`{"status":"ok"}`))
	}))
	defer srv.Close()
	down := closedPort(t)
	rbYAML := `id: probe
title: 测试巡检
retries: 1
retry_backoff: 10ms
checks:
  - name: portal
    title: 门户首页
    type: http
    asset: portal-web
    url: ` + srv.URL + `/health?token=${CANARY_TOKEN}
    conditions: ["[STATUS] == 200", "[BODY].status == ok"]
  - name: db-port
    title: 交换库端口
    type: tcp
    asset: exchange-db
    address: ` + down + `
    timeout: 2s
    conditions: ["[CONNECTED] == true"]
`
	clone, remote := opsRepo(t, rbYAML)
	rb := load(t, clone)
	secrets := func(k string) (string, bool) {
		if k == "CANARY_TOKEN" {
			return "canary-token-7f3a9c", true
		}
		return "", false
	}
	now := time.Date(2026, 10, 9, 8, 30, 0, 0, time.FixedZone("CST", 8*3600))
	run := func() *runner.Report {
		now = now.Add(24 * time.Hour)
		rep, err := runner.Run(context.Background(), rb, runner.Options{Root: clone, Runner: "t1", Location: now.Location(), Push: true,
			Secrets: secretSource(secrets), Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}

	// Run 1: the portal flaps once (re-checked, passes); the port is down.
	healthy.Store(true)
	rep := run()
	if rep.Failed() != 1 || len(rep.NewAnomalies) != 1 || !rep.Pushed {
		t.Fatalf("run 1: failed %d, new anomalies %v, pushed %v", rep.Failed(), rep.NewAnomalies, rep.Pushed)
	}
	if portal := rep.Results[0]; !portal.Success || portal.Attempts != 2 {
		t.Errorf("flapping portal: success %v after %d attempts, want success after 2", portal.Success, portal.Attempts)
	}
	mustValidate(t, clone)
	first := rep.NewAnomalies[0]

	// Run 2: still down: no second anomaly, the inspection links the open one.
	rep = run()
	if len(rep.NewAnomalies) != 0 || rep.Failed() != 1 {
		t.Fatalf("run 2: new anomalies %v", rep.NewAnomalies)
	}
	ins, err := record.ReadFile(filepath.Join(clone, "content/inspection", now.Format("2006"), rep.Inspection+".yaml"), "x.yaml", 0)
	if err != nil {
		t.Fatal(err)
	}
	if links, _ := ins.Fields["anomalies"].([]any); len(links) != 1 || links[0] != first {
		t.Errorf("run 2 inspection links %v, want [%s]", ins.Fields["anomalies"], first)
	}

	// Run 3: the port comes up: the anomaly is resolved, with the human text kept.
	ln, err := net.Listen("tcp", down)
	if err != nil {
		t.Skipf("could not re-listen on %s: %v", down, err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	rep = run()
	if rep.Failed() != 0 || len(rep.Recovered) != 1 || rep.Recovered[0] != first {
		t.Fatalf("run 3: failed %d, recovered %v", rep.Failed(), rep.Recovered)
	}
	mustValidate(t, clone)
	a, err := record.ReadFile(filepath.Join(clone, "content/anomaly/2026", first+".md"), "a.md", 0)
	if err != nil || a.Fields["status"] != "resolved" || a.Fields["resolved_at"] == nil || !strings.Contains(a.Body, "## 现象") {
		t.Errorf("resolved anomaly: %v %v", err, a)
	}

	// History: three commits on the remote, linear, with the runner's messages.
	log := gitCmd(t, remote, "log", "--format=%s", "main")
	if n := strings.Count(log, "巡检：测试巡检"); n != 3 {
		t.Errorf("remote has %d run commits:\n%s", n, log)
	}
	if merges := gitCmd(t, remote, "rev-list", "--merges", "main"); merges != "" {
		t.Errorf("history not linear: %s", merges)
	}
	if st := gitCmd(t, clone, "status", "--porcelain"); st != "" {
		t.Errorf("work tree not clean after runs:\n%s", st)
	}
	// The canary secret is nowhere: files, commits, objects.
	if out := gitCmd(t, remote, "log", "-p", "--all"); strings.Contains(out, "canary-token-7f3a9c") {
		t.Error("secret leaked into git history")
	}
}
