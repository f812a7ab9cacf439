package runner_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/check/checktest"
	"github.com/opsbook/opsbook/internal/check/sshtest"
	"github.com/opsbook/opsbook/internal/record"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// opsbookBinary builds cmd/opsbook once for the process-level tests.
func opsbookBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "opsbook-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "opsbook")
		out, err := exec.Command("go", "build", "-o", binPath, "../../cmd/opsbook").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// acceptAll serves TCP on a loopback port, closing each connection.
func acceptAll(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
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
	return ln.Addr().String()
}

func slowHTTP(t *testing.T, delay time.Duration) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func passingRunbook(t *testing.T) string {
	return `id: probe
title: 并发测试巡检
concurrency: 4
checks:
  - {name: port-a, type: tcp, asset: portal-web, address: "` + acceptAll(t) + `", conditions: ["[CONNECTED] == true"]}
  - {name: web, type: http, asset: portal-web, url: "` + slowHTTP(t, 30*time.Millisecond) + `", conditions: ["[STATUS] == 200"]}
`
}

// TestConcurrentRunnersPush runs 10 `opsbook run --push` processes against
// one bare remote at once: every run lands, history stays linear, fsck is clean.
func TestConcurrentRunnersPush(t *testing.T) {
	bin := opsbookBinary(t)
	_, remote := opsRepo(t, passingRunbook(t))
	const n = 10
	clones := make([]string, n)
	for i := range clones {
		clones[i] = filepath.Join(t.TempDir(), "ops")
		gitCmd(t, filepath.Dir(clones[i]), "clone", "-q", remote, clones[i])
	}
	var wg sync.WaitGroup
	outs := make([][]byte, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(bin, "run", "probe", "--push", "--runner", fmt.Sprintf("r%d", i), "--repo", clones[i])
			outs[i], errs[i] = cmd.CombinedOutput()
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Errorf("runner %d: %v\n%s", i, errs[i], outs[i])
		}
	}
	log := gitCmd(t, remote, "log", "--format=%s", "main")
	if got := strings.Count(log, "巡检：并发测试巡检"); got != n {
		t.Errorf("%d of %d runs landed on the remote:\n%s", got, n, log)
	}
	if merges := gitCmd(t, remote, "rev-list", "--merges", "main"); merges != "" {
		t.Errorf("history is not linear: merges %s", merges)
	}
	gitCmd(t, remote, "fsck", "--strict")
	files := gitCmd(t, remote, "ls-tree", "-r", "--name-only", "main", "content/inspection")
	if got := strings.Count(files, "\n"); got != n {
		t.Errorf("%d inspection records on the remote, want %d:\n%s", got, n, files)
	}
}

// TestSIGKILLLeavesNoPartialRecord kills `opsbook run --push` at 20 random
// points; afterwards every record file loads, fsck accepts both
// repositories, and the next run still succeeds.
func TestSIGKILLLeavesNoPartialRecord(t *testing.T) {
	bin := opsbookBinary(t)
	clone, remote := opsRepo(t, passingRunbook(t))
	// Time one run to spread the kills over its whole length.
	start := time.Now()
	if out, err := exec.Command(bin, "run", "probe", "--push", "--runner", "timer", "--repo", clone).CombinedOutput(); err != nil {
		t.Fatalf("baseline run: %v\n%s", err, out)
	}
	span := time.Since(start) + 50*time.Millisecond
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for i := range 20 {
		cmd := exec.Command(bin, "run", "probe", "--push", "--runner", fmt.Sprintf("k%d", i), "--repo", clone)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.Int64N(int64(span))))
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		assertRecordsLoad(t, clone)
	}
	// And five kills aimed at the moment the branch moves: the window in
	// which the index is behind the branch.
	for i := range 5 {
		killWhenBranchMoves(t, exec.Command(bin, "run", "probe", "--push", "--runner", fmt.Sprintf("m%d", i), "--repo", clone), clone)
		assertRecordsLoad(t, clone)
	}
	for _, dir := range []string{clone, remote} {
		cmd := exec.Command("git", "fsck", "--strict")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git fsck in %s after kills: %v\n%s", dir, err, out)
		}
	}
	if out, err := exec.Command(bin, "run", "probe", "--push", "--runner", "after", "--repo", clone).CombinedOutput(); err != nil {
		t.Fatalf("run after the kills: %v\n%s", err, out)
	}
	// A kill between the branch move and the index update left the index
	// stale; the next run reconciles it, and a kill before the commit
	// leaves no stray record files.
	if st := gitCmd(t, clone, "status", "--porcelain"); st != "" {
		t.Errorf("git status after the next run is not clean:\n%s", st)
	}
	if out, err := exec.Command(bin, "validate", "--repo", clone).CombinedOutput(); err != nil {
		t.Fatalf("records after the kills do not validate: %v\n%s", err, out)
	}
}

// killWhenBranchMoves starts cmd and SIGKILLs it as soon as the local
// main branch of clone moves.
func killWhenBranchMoves(t *testing.T, cmd *exec.Cmd, clone string) {
	t.Helper()
	ref := filepath.Join(clone, ".git", "refs", "heads", "main")
	before, _ := os.ReadFile(ref)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	for {
		select {
		case <-exited:
			return
		default:
		}
		if now, err := os.ReadFile(ref); err == nil && !bytes.Equal(now, before) {
			cmd.Process.Signal(syscall.SIGKILL)
			<-exited
			return
		}
	}
}

// assertRecordsLoad loads every record file under content/.
func assertRecordsLoad(t *testing.T, root string) {
	t.Helper()
	filepath.WalkDir(filepath.Join(root, "content"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		if _, err := record.ReadFile(p, filepath.ToSlash(rel), 0); err != nil {
			t.Errorf("partial or broken record %s: %v", rel, err)
		}
		return nil
	})
}

// TestCanarySecrets uses six canary secrets, each in a passing and a
// failing check, and finds none of them in the repository, its history or
// the runner's output.
func TestCanarySecrets(t *testing.T) {
	bin := opsbookBinary(t)
	ssh := sshtest.Start(t)
	sshUser, sshPassword := ssh.PasswordUser(t) // the password itself is the SSH canary
	canary := map[string]string{
		"C_BASIC":      "basic-canary-91f2e7",
		"C_BEARER":     "bearer-canary-4c8d1a",
		"C_QUERY":      "query-canary-7b3e55",
		"C_DSN":        "dsn-canary-2a9f04",
		"C_SSH_PASS":   sshPassword,
		"C_PASSPHRASE": "passphrase-canary-6e1b",
	}
	keyFile := ssh.NewKeyFile(t, canary["C_PASSPHRASE"]) // authorized, encrypted with the canary
	strayKey := filepath.Join(t.TempDir(), "stray")      // encrypted with the canary, not authorized
	os.WriteFile(strayKey, mustRead(t, ssh.NewKeyFile(t, canary["C_PASSPHRASE"])), 0o600)
	// NewKeyFile authorizes the key; the stray copy is revoked by rotating authorized keys below.
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		ok := (user == "ops" && pass == canary["C_BASIC"]) || r.Header.Get("Authorization") == "Bearer "+canary["C_BEARER"] ||
			r.URL.Query().Get("token") == canary["C_QUERY"]
		if !ok {
			// Echo everything back, as a misconfigured server might.
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, "denied: %s %s %s", r.URL.String(), r.Header.Get("Authorization"), pass)
			return
		}
		w.Write([]byte(`{"code":0}`))
	}))
	defer api.Close()
	closed := sshtest.ClosedAddr(t)
	pgErr := pgReachable()
	checktest.RequireService(t, "PostgreSQL on 127.0.0.1:5432", pgErr)
	rb := fmt.Sprintf(`id: canary
title: 密钥泄露测试
retries: 0
checks:
  - {name: basic-ok, type: http, url: "%[1]s/a", basic_auth: {username: ops, password: "${C_BASIC}"}, conditions: ["[STATUS] == 200"]}
  - {name: basic-bad, type: http, url: "%[1]s/a", basic_auth: {username: someone, password: "${C_BASIC}"}, conditions: ["[STATUS] == 200", "[BODY] == ok"]}
  - {name: bearer-ok, type: http, url: "%[1]s/b", headers: {Authorization: "Bearer ${C_BEARER}"}, conditions: ["[STATUS] == 200"]}
  - {name: bearer-bad, type: http, url: "http://%[2]s/b", headers: {Authorization: "Bearer ${C_BEARER}"}, conditions: ["[STATUS] == 200"]}
  - {name: query-ok, type: http, url: "%[1]s/q?token=${C_QUERY}", conditions: ["[STATUS] == 200"]}
  - {name: query-bad, type: http, url: "%[1]s/q?token=${C_QUERY}x", conditions: ["[STATUS] == 200", "[BODY] == ok"]}
  - {name: dsn-ok, type: sql, driver: postgres, dsn: "postgres://postgres:${C_DSN}@127.0.0.1:5432/test?sslmode=disable", query: "select 1 as one", conditions: ["[ROWS][0].one == 1"]}
  - {name: dsn-bad, type: sql, driver: postgres, dsn: "postgres://postgres:${C_DSN}@%[2]s/test?sslmode=disable", query: "select 1 as one", conditions: ["[ROWS][0].one == 1"]}
  - {name: sshpw-ok, type: ssh, address: "%[3]s", user: %[4]s, password: "${C_SSH_PASS}", known_hosts: "%[5]s", command: "echo hi", conditions: ["[EXIT_CODE] == 0"]}
  - {name: sshpw-bad, type: ssh, address: "%[3]s", user: nosuchuser, password: "${C_SSH_PASS}", known_hosts: "%[5]s", command: "echo hi", conditions: ["[EXIT_CODE] == 0"]}
  - {name: key-ok, type: ssh, address: "%[3]s", user: %[6]s, private_key_file: "%[7]s", passphrase: "${C_PASSPHRASE}", known_hosts: "%[5]s", command: "echo hi", conditions: ["[EXIT_CODE] == 0"]}
  - {name: key-bad, type: ssh, address: "%[3]s", user: nosuchuser, private_key_file: "%[7]s", passphrase: "${C_PASSPHRASE}", known_hosts: "%[5]s", command: "echo hi", conditions: ["[EXIT_CODE] == 0"]}
`, api.URL, closed, ssh.Addr, sshUser, ssh.KnownHosts, ssh.User, keyFile)
	clone, remote := opsRepo(t, strings.Replace(rb, "id: canary", "id: probe", 1))
	cmd := exec.Command(bin, "run", "probe", "--push", "--runner", "canary", "--repo", clone)
	cmd.Env = os.Environ()
	for k, v := range canary {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Fatalf("exit %d (%v), want 1 (some checks fail):\n%s", code, err, out)
	}
	// Each passing check passed and each failing one failed.
	for _, name := range []string{"basic", "bearer", "query", "dsn", "sshpw", "key"} {
		if !strings.Contains(string(out), "（"+name+"-bad）") || strings.Contains(string(out), "（"+name+"-ok）") {
			t.Errorf("%s: want %s-ok to pass and %s-bad to fail; output:\n%s", name, name, name, out)
		}
	}
	history := gitCmd(t, remote, "log", "-p", "--all", "--format=%H %an %s%n%b")
	var tree strings.Builder
	filepath.WalkDir(clone, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.Contains(p, "/.git/") {
			tree.Write(mustRead(t, p))
		}
		return nil
	})
	for name, value := range canary {
		for where, text := range map[string]string{"runner output": string(out), "git history": history, "work tree": tree.String()} {
			if strings.Contains(text, value) {
				t.Errorf("canary %s leaked into the %s", name, where)
			}
		}
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func pgReachable() error {
	d := net.Dialer{Timeout: 2 * time.Second}
	c, err := d.DialContext(context.Background(), "tcp", "127.0.0.1:5432")
	if err == nil {
		c.Close()
	}
	return err
}
