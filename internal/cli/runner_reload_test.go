package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/testrepo"
)

// A runbook merged while the runner runs is scheduled without a restart;
// a broken one is reported and the previous schedule stays.
func TestRunnerReloadsRunbooks(t *testing.T) {
	dir := testrepo.Empty(t)
	write := func(rel, text string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("opsbook.yaml", "platform: 测试平台\ntimezone: Asia/Shanghai\n")
	if out, err := exec.Command("git", "init", "-q", "-b", "main", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	runbookText := func(id string) string {
		return "id: " + id + "\ntitle: 测试 " + id + "\nschedule: {cron: \"0 0 1 1 *\", days: all}\nchecks:\n" +
			"  - {name: port, title: 端口, type: tcp, address: \"127.0.0.1:1\"}\n"
	}
	write("runbooks/first.yaml", runbookText("first"))

	old := runbookReloadInterval
	runbookReloadInterval = 20 * time.Millisecond
	defer func() { runbookReloadInterval = old }()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, &Env{Stdout: &lockedBuffer{}, Stderr: &stderr, Dir: dir}, []string{"runner", "--listen", "", "--push=false"})
	}()
	waitStderr := func(want string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(stderr.String(), want) {
			select {
			case code := <-done:
				t.Fatalf("runner exited with %d before %q:\n%s", code, want, stderr.String())
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %q in:\n%s", want, stderr.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitStderr("runner 已启动：1 个运行手册按计划执行")

	write("runbooks/second.yaml", runbookText("second"))
	waitStderr("运行手册已更新，重新调度：2 个运行手册按计划执行")
	if !strings.Contains(stderr.String(), "已调度 second") {
		t.Errorf("the new runbook was not scheduled:\n%s", stderr.String())
	}

	write("runbooks/third.yaml", "id: third\ntitle: [\n")
	waitStderr("运行手册已修改但未生效，继续按原计划运行")

	cancel()
	select {
	case code := <-done:
		if code != ExitOK {
			t.Errorf("runner exited with %d:\n%s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("runner did not stop")
	}
}
