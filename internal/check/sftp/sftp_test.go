package sftp

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/check"
	"github.com/opsbook/opsbook/internal/check/checktest"
	"github.com/opsbook/opsbook/internal/check/sshtest"
	"github.com/opsbook/opsbook/internal/condition"
)

func spec(s *sshtest.Server, params map[string]any) check.Spec {
	p := map[string]any{
		"address":          s.Addr,
		"user":             s.User,
		"private_key_file": s.KeyFile,
		"known_hosts":      s.KnownHosts,
	}
	maps.Copy(p, params)
	return check.Spec{Name: "t", Type: "sftp", Timeout: 10 * time.Second, Params: p}
}

func observe(t *testing.T, sp check.Spec) check.Observation {
	t.Helper()
	c, err := check.New(sp)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	obs := c.Check(ctx)
	if obs.Err != nil {
		t.Fatalf("Check: %v", obs.Err)
	}
	return obs
}

// put creates a file of size bytes (sparse) modified age ago.
func put(t *testing.T, name string, size int64, age time.Duration) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	mt := time.Now().Add(-age)
	if err := os.Chtimes(name, mt, mt); err != nil {
		t.Fatal(err)
	}
}

// near reports whether d is within a minute of want (SFTP times have
// one-second resolution and the test takes a moment).
func near(d any, want time.Duration) bool {
	got, ok := d.(time.Duration)
	return ok && got >= want-time.Minute && got <= want+time.Minute
}

func TestConformance(t *testing.T) {
	s := sshtest.Start(t)
	dir := t.TempDir()
	put(t, filepath.Join(dir, "db.dmp"), 10, time.Hour)
	slow := spec(s, map[string]any{"path": dir, "address": sshtest.SilentAddr(t)})
	checktest.Run(t, "sftp", checktest.Targets{
		Up:   spec(s, map[string]any{"path": filepath.Join(dir, "*.dmp")}),
		Down: spec(s, map[string]any{"path": dir, "address": sshtest.ClosedAddr(t)}),
		Slow: &slow,
	})
}

func TestGlob(t *testing.T) {
	s := sshtest.Start(t)
	dir := t.TempDir()
	put(t, filepath.Join(dir, "full-0101.dmp"), 1000, 30*time.Hour)
	put(t, filepath.Join(dir, "full-0102.dmp"), 1536<<20, 2*time.Hour) // 1.5 GB, sparse
	put(t, filepath.Join(dir, "full-0102.log"), 7, time.Minute)        // not matched
	if err := os.Mkdir(filepath.Join(dir, "old.dmp"), 0o755); err != nil {
		t.Fatal(err) // a directory that matches: ignored
	}
	if err := os.Symlink(filepath.Join(dir, "gone"), filepath.Join(dir, "dangling.dmp")); err != nil {
		t.Fatal(err) // a dangling link: ignored
	}

	obs := observe(t, spec(s, map[string]any{"path": filepath.Join(dir, "*.dmp")}))
	v := obs.Values
	if v["COUNT"] != int64(2) || v["TOTAL_SIZE"] != condition.Size(1000+1536<<20) {
		t.Errorf("COUNT %v TOTAL_SIZE %v", v["COUNT"], v["TOTAL_SIZE"])
	}
	if v["NEWEST_NAME"] != filepath.Join(dir, "full-0102.dmp") || v["NEWEST_SIZE"] != condition.Size(1536<<20) {
		t.Errorf("NEWEST %v %v", v["NEWEST_NAME"], v["NEWEST_SIZE"])
	}
	if v["NEWEST_SIZE"].(condition.Size) <= 1<<30 {
		t.Errorf("NEWEST_SIZE %v is not above 1GB", v["NEWEST_SIZE"])
	}
	if !near(v["NEWEST_AGE"], 2*time.Hour) || !near(v["OLDEST_AGE"], 30*time.Hour) {
		t.Errorf("NEWEST_AGE %v OLDEST_AGE %v", v["NEWEST_AGE"], v["OLDEST_AGE"])
	}
	if v["CONNECTED"] != true {
		t.Errorf("CONNECTED %v", v["CONNECTED"])
	}
}

func TestGlobInDirectoryPart(t *testing.T) {
	s := sshtest.Start(t)
	dir := t.TempDir()
	put(t, filepath.Join(dir, "host-a", "full.tar.gz"), 100, 3*time.Hour)
	put(t, filepath.Join(dir, "host-b", "full.tar.gz"), 200, time.Hour)
	put(t, filepath.Join(dir, "other", "full.tar.gz"), 400, time.Minute)
	obs := observe(t, spec(s, map[string]any{"path": filepath.Join(dir, "host-*", "full.tar.gz")}))
	v := obs.Values
	if v["COUNT"] != int64(2) || v["TOTAL_SIZE"] != condition.Size(300) || v["NEWEST_NAME"] != filepath.Join(dir, "host-b", "full.tar.gz") {
		t.Errorf("values %v", v)
	}
}

func TestFileAndDirectory(t *testing.T) {
	s := sshtest.Start(t)
	dir := t.TempDir()
	put(t, filepath.Join(dir, "a.bak"), 10, 5*time.Hour)
	put(t, filepath.Join(dir, "b.bak"), 20, 4*time.Hour)

	obs := observe(t, spec(s, map[string]any{"path": filepath.Join(dir, "a.bak")}))
	if obs.Values["COUNT"] != int64(1) || obs.Values["NEWEST_SIZE"] != condition.Size(10) || !near(obs.Values["NEWEST_AGE"], 5*time.Hour) {
		t.Errorf("one file: %v", obs.Values)
	}
	obs = observe(t, spec(s, map[string]any{"path": dir}))
	if obs.Values["COUNT"] != int64(2) || obs.Values["NEWEST_NAME"] != filepath.Join(dir, "b.bak") {
		t.Errorf("directory: %v", obs.Values)
	}
}

func TestNoMatchIsCountZero(t *testing.T) {
	s := sshtest.Start(t)
	dir := t.TempDir()
	put(t, filepath.Join(dir, "a.log"), 1, time.Hour)
	for _, p := range []string{
		filepath.Join(dir, "*.dmp"),
		filepath.Join(dir, "missing.dmp"),
		filepath.Join(dir, "no-such-dir", "*.dmp"),
		filepath.Join(dir, "no-*", "*.dmp"),
	} {
		obs := observe(t, spec(s, map[string]any{"path": p}))
		if obs.Values["COUNT"] != int64(0) || obs.Values["TOTAL_SIZE"] != condition.Size(0) {
			t.Errorf("%s: %v", p, obs.Values)
		}
		if _, ok := obs.Values["NEWEST_AGE"]; ok {
			t.Errorf("%s: NEWEST_AGE set without a file", p)
		}
	}
}

func TestChangedHostKeyIsSecurityFailure(t *testing.T) {
	s := sshtest.Start(t)
	s.RotateHostKey(t)
	c, err := check.New(spec(s, map[string]any{"path": "/"}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	obs := c.Check(ctx)
	if obs.Err == nil || !obs.Security || !strings.Contains(obs.Err.Error(), "主机密钥不匹配") {
		t.Fatalf("Err %v Security %v", obs.Err, obs.Security)
	}
}

func TestParameterErrors(t *testing.T) {
	base := map[string]any{"address": "127.0.0.1:22", "user": "ops", "password": "x", "known_hosts": "/k"}
	for key, params := range map[string]map[string]any{
		"path":        {},
		"path ":       {"path": "/backup/[a-.dmp"},
		"known_hosts": {"path": "/x", "known_hosts": nil},
	} {
		p := maps.Clone(base)
		for k, v := range params {
			if v == nil {
				delete(p, k)
			} else {
				p[k] = v
			}
		}
		_, err := check.New(check.Spec{Name: "t", Type: "sftp", Params: p})
		if err == nil || !strings.Contains(err.Error(), "参数 "+strings.TrimSpace(key)) {
			t.Errorf("%v: err = %v", params, err)
		}
	}
}
