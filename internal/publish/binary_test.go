package publish

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/opsbook/opsbook/internal/check/sshtest"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// opsbookBinary builds cmd/opsbook once for the tests that run the command
// as users and the publish workflow do.
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

// runBinary runs the built opsbook in dir with only the environment
// given (plus PATH and HOME) and returns its output and exit code.
func runBinary(t *testing.T, dir string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(opsbookBinary(t), args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "SSH_AUTH_SOCK="}, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), errb.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatalf("opsbook %v: %v", args, err)
	}
	return out.String(), errb.String(), 0
}

// treeListing lists every path under root with its kind, to compare
// before and after a command that must write nothing.
func treeListing(t *testing.T, root string) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		lines = append(lines, rel+" "+d.Type().String())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// The built binary refuses SFTP and directory targets with dot segments
// (raw or percent-encoded) with exit 2 and writes nothing: cleaning
// sftp://host/<root>/www/sub/%2e%2e/escaped published to <root>/www/escaped.
func TestBinaryRefusesDotSegmentTargets(t *testing.T) {
	s := sshtest.Start(t)
	root := t.TempDir()
	www := filepath.Join(root, "www")
	if err := os.MkdirAll(filepath.Join(www, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	site := filepath.Join(t.TempDir(), "public")
	os.MkdirAll(site, 0o755)
	os.WriteFile(filepath.Join(site, "index.html"), []byte("<h1>运维台账</h1>"), 0o644)
	before := treeListing(t, root)

	for _, target := range []string{
		"sftp://" + s.User + "@" + s.Addr + www + "/sub/%2e%2e/escaped",
		"sftp://" + s.User + "@" + s.Addr + www + "/sub/%2E%2e/escaped",
		"sftp://" + s.User + "@" + s.Addr + www + "/sub/../escaped",
		"sftp://" + s.User + "@" + s.Addr + www + "/sub/..%2fescaped",
		"sftp://" + s.User + "@" + s.Addr + www + "/sub%2f%2e%2e%2fescaped",
		"sftp://" + s.User + "@" + s.Addr + www + "/./escaped",
		www + "/sub/../escaped",
		www + "/sub/%2e%2e/escaped",
		"www/sub/../escaped",
	} {
		_, stderr, code := runBinary(t, root, nil, "publish", target, "--dir", site,
			"--identity", s.KeyFile, "--known-hosts", s.KnownHosts)
		if code != 2 || !strings.Contains(stderr, `"."/".."`) || !strings.Contains(stderr, "不含 . 和 .. 的完整路径") {
			t.Errorf("opsbook publish %s: exit %d, want 2 and a refusal of the dot segment:\n%s", target, code, stderr)
		}
		if strings.Contains(stderr, "已发布") || strings.Contains(stderr, "上传") {
			t.Errorf("opsbook publish %s uploaded:\n%s", target, stderr)
		}
		if after := treeListing(t, root); after != before {
			t.Fatalf("opsbook publish %s wrote under %s:\nbefore:\n%s\nafter:\n%s", target, root, before, after)
		}
	}
	// The same target written plainly publishes, so the refusals above are
	// about the dot segments and not about the server.
	_, stderr, code := runBinary(t, root, nil, "publish", "sftp://"+s.User+"@"+s.Addr+www+"/escaped", "--dir", site,
		"--identity", s.KeyFile, "--known-hosts", s.KnownHosts)
	if code != 0 {
		t.Fatalf("plain target: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(www, "escaped", "index.html")); err != nil {
		t.Errorf("plain target not published: %v", err)
	}
}
