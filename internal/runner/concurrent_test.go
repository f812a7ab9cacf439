package runner_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/runner"
)

// failingRunbook has one check that fails: TCP to a closed loopback port.
func failingRunbook(t *testing.T) string {
	return `id: probe
title: 多节点巡检
retries: 0
checks:
  - {name: db-port, title: 交换库端口, type: tcp, asset: exchange-db, address: "` + closedPort(t) + `", timeout: 2s, conditions: ["[CONNECTED] == true"]}
`
}

// remoteRecords reads the records of one kind on the remote's main.
func remoteRecords(t *testing.T, remote, kind string) map[string]*record.Record {
	t.Helper()
	out := map[string]*record.Record{}
	files := strings.Fields(gitCmd(t, remote, "ls-tree", "-r", "--name-only", "main", "content/"+kind))
	for _, p := range files {
		r, err := record.Parse(p, []byte(gitCmd(t, remote, "show", "main:"+p)))
		if err != nil {
			t.Fatalf("%s on the remote: %v", p, err)
		}
		out[r.ID()] = r
	}
	return out
}

func strs(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// assertOneAnomalyListing checks that main has exactly one anomaly, listing
// exactly the given inspections, each of which exists and links back to it.
func assertOneAnomalyListing(t *testing.T, remote string, inspections int) {
	t.Helper()
	anomalies := remoteRecords(t, remote, "anomaly")
	ins := remoteRecords(t, remote, "inspection")
	if len(anomalies) != 1 {
		t.Fatalf("%d anomalies on the remote, want one for the one failing check: %v", len(anomalies), keys(anomalies))
	}
	if len(ins) != inspections {
		t.Fatalf("%d inspection records on the remote, want %d: %v", len(ins), inspections, keys(ins))
	}
	for id, a := range anomalies {
		if got, want := strs(a.Fields["inspections"]), keys(ins); !slices.Equal(got, want) {
			t.Fatalf("anomaly %s lists inspections %v, want all of %v", id, got, want)
		}
		for insID, r := range ins {
			if links := strs(r.Fields["anomalies"]); !slices.Equal(links, []string{id}) {
				t.Errorf("inspection %s links %v, want [%s]", insID, links, id)
			}
		}
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestConcurrentRunnersShareOneAnomaly runs 5 `opsbook run --push`
// processes, all named alike (two hosts with the same runner name), against
// one bare remote at once, all failing the same check: main ends with one
// anomaly listing all 5 inspections, and all 5 inspection records.
func TestConcurrentRunnersShareOneAnomaly(t *testing.T) {
	bin := opsbookBinary(t)
	_, remote := opsRepo(t, failingRunbook(t))
	const n = 5
	clones := make([]string, n)
	for i := range clones {
		clones[i] = filepath.Join(t.TempDir(), "ops")
		gitCmd(t, filepath.Dir(clones[i]), "clone", "-q", remote, clones[i])
	}
	var wg sync.WaitGroup
	outs := make([][]byte, n)
	codes := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(bin, "run", "probe", "--push", "--runner", "zone", "--repo", clones[i])
			outs[i], _ = cmd.CombinedOutput()
			codes[i] = cmd.ProcessState.ExitCode()
		}()
	}
	wg.Wait()
	for i := range n {
		if codes[i] != 1 { // 1: a check failed; 2 would be a push failure
			t.Errorf("runner %d: exit %d, want 1\n%s", i, codes[i], outs[i])
		}
	}
	assertOneAnomalyListing(t, remote, n)
	for i := range n {
		if st := gitCmd(t, clones[i], "status", "--porcelain"); st != "" {
			t.Errorf("clone %d not clean:\n%s", i, st)
		}
	}
	mustValidate(t, clones[0])
}

// runAt runs the runbook in clone in-process at the given time.
func runAt(t *testing.T, clone, name string, at time.Time) *runner.Report {
	t.Helper()
	rb := load(t, clone)
	rep, err := runner.Run(context.Background(), rb, runner.Options{Root: clone, Runner: name, Location: at.Location(), Push: true,
		Now: func() time.Time { return at }})
	if err != nil || rep.PushError != nil || !rep.Pushed {
		t.Fatalf("run in %s: %v %v", clone, err, rep.PushError)
	}
	return rep
}

// A runner whose clone has not seen another runner's detection a minute
// earlier joins that anomaly when its push finds it, instead of opening a
// second one for the same check.
func TestDetectionsInDifferentMinutesShareOneAnomaly(t *testing.T) {
	a, remote := opsRepo(t, failingRunbook(t))
	b := filepath.Join(t.TempDir(), "ops")
	gitCmd(t, filepath.Dir(b), "clone", "-q", remote, b)
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	first := runAt(t, a, "zone-a", at)
	second := runAt(t, b, "zone-b", at.Add(time.Minute+7*time.Second))
	if len(first.NewAnomalies) != 1 || len(second.NewAnomalies) != 0 {
		t.Fatalf("new anomalies: first run %v, second run %v; want the second to join the first's", first.NewAnomalies, second.NewAnomalies)
	}
	assertOneAnomalyListing(t, remote, 2)
	// The clone that lost the race holds the merged records too, cleanly.
	if st := gitCmd(t, b, "status", "--porcelain"); st != "" {
		t.Errorf("clone not clean:\n%s", st)
	}
	mustValidate(t, b)
}

// Two runners with the same name starting in the same second keep both
// inspection records.
func TestSameRunnerNameSameSecondKeepsBothInspections(t *testing.T) {
	a, remote := opsRepo(t, failingRunbook(t))
	b := filepath.Join(t.TempDir(), "ops")
	gitCmd(t, filepath.Dir(b), "clone", "-q", remote, b)
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	r1 := runAt(t, a, "zone", at)
	r2 := runAt(t, b, "zone", at)
	if r1.Inspection == r2.Inspection {
		t.Fatalf("both runs wrote inspection %s", r1.Inspection)
	}
	assertOneAnomalyListing(t, remote, 2)
	mustValidate(t, b)
}

// A run that resolves an anomaly someone else edited meanwhile (the
// handler wrote the cause and pushed) resolves the edited version: the
// handler's text survives.
func TestRecoveryMergesConcurrentEdit(t *testing.T) {
	down := closedPort(t)
	clone, remote := opsRepo(t, `id: probe
title: 多节点巡检
retries: 0
checks:
  - {name: db-port, title: 交换库端口, type: tcp, asset: exchange-db, address: "`+down+`", timeout: 2s, conditions: ["[CONNECTED] == true"]}
`)
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	opened := runAt(t, clone, "zone", at)
	if len(opened.NewAnomalies) != 1 {
		t.Fatalf("new anomalies %v", opened.NewAnomalies)
	}
	id := opened.NewAnomalies[0]
	rel := "content/anomaly/2026/" + id + ".md"
	// The handler edits the anomaly in their own clone and pushes.
	human := filepath.Join(t.TempDir(), "ops")
	gitCmd(t, filepath.Dir(human), "clone", "-q", remote, human)
	src := gitCmd(t, human, "show", "HEAD:"+rel)
	edited := strings.Replace(src, "## 原因\n\n（待分析）", "## 原因\n\n交换库主机重启，端口短时不可用。", 1)
	if edited == src {
		t.Fatal("anomaly text changed shape; fix the test")
	}
	writeFile(t, human, rel, edited)
	gitCmd(t, human, "commit", "-qam", "补充异常原因")
	gitCmd(t, human, "push", "-q", "origin", "main")
	// The port comes back; the runner's clone has not seen the edit.
	listenOn(t, down)
	rep := runAt(t, clone, "zone", at.Add(time.Hour))
	if len(rep.Recovered) != 1 || rep.Recovered[0] != id {
		t.Fatalf("recovered %v, want %s", rep.Recovered, id)
	}
	a, err := record.Parse(rel, []byte(gitCmd(t, remote, "show", "main:"+rel)))
	if err != nil {
		t.Fatal(err)
	}
	if a.Fields["status"] != "resolved" || !strings.Contains(a.Body, "交换库主机重启") || !strings.Contains(a.Body, "## 自动恢复") {
		t.Fatalf("anomaly on the remote lost the handler's edit or the recovery:\nstatus %v\n%s", a.Fields["status"], a.Body)
	}
	if st := gitCmd(t, clone, "status", "--porcelain"); st != "" {
		t.Errorf("clone not clean:\n%s", st)
	}
}

func writeFile(t *testing.T, root, rel, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(rel)), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// listenOn accepts TCP connections on addr until the test ends.
func listenOn(t *testing.T, addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("re-listen on %s: %v", addr, err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
}

// A run that cannot commit (detached HEAD) still keeps its records in the
// work tree and reports them.
func TestRunThatCannotCommitKeepsRecords(t *testing.T) {
	clone, _ := opsRepo(t, failingRunbook(t))
	gitCmd(t, clone, "checkout", "-q", "--detach")
	rb := load(t, clone)
	rep, err := runner.Run(context.Background(), rb, runner.Options{Root: clone, Runner: "zone", Commit: true})
	if err == nil || rep.Inspection == "" || len(rep.NewAnomalies) != 1 {
		t.Fatalf("err %v, inspection %q, new anomalies %v", err, rep.Inspection, rep.NewAnomalies)
	}
	for _, rel := range rep.Files {
		if _, err := os.Stat(filepath.Join(clone, rel)); err != nil {
			t.Errorf("record %s not kept: %v", rel, err)
		}
	}
	if len(rep.Files) != 2 {
		t.Errorf("files %v", rep.Files)
	}
}
