package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPublishCommand(t *testing.T) {
	dir := t.TempDir()
	site := filepath.Join(dir, "repo", "public")
	os.MkdirAll(filepath.Join(site, "css"), 0o755)
	os.WriteFile(filepath.Join(site, "index.html"), []byte("<h1>运维台账</h1>"), 0o644)
	os.WriteFile(filepath.Join(site, "css", "site.css"), []byte("body{}"), 0o644)
	os.Mkdir(filepath.Join(dir, "www"), 0o755)

	// Default --dir is the repository's public/; the target is relative to the working directory.
	_, stderr, code := run(t, dir, "publish", "www/opsbook", "--repo", filepath.Join(dir, "repo"))
	if code != ExitOK || !strings.Contains(stderr, "已发布") || !strings.Contains(stderr, "2 个文件") || !strings.Contains(stderr, "保留 1 个版本") {
		t.Fatalf("first publish: exit %d\n%s", code, stderr)
	}
	link := filepath.Join(dir, "www", "opsbook")
	if data, err := os.ReadFile(filepath.Join(link, "css", "site.css")); err != nil || string(data) != "body{}" {
		t.Fatalf("published site: %q %v", data, err)
	}
	_, stderr, code = run(t, dir, "publish", link, "--dir", "repo/public", "--keep", "1")
	if code != ExitOK || !strings.Contains(stderr, "上一版本") || !strings.Contains(stderr, "已删除旧版本") {
		t.Fatalf("second publish: exit %d\n%s", code, stderr)
	}
	if strings.Contains(stderr, "受控") {
		t.Errorf("a site without restricted content was warned about: %s", stderr)
	}
	// A manifest naming pages that are not there (as an omitted build's
	// used to) does not stop a publish: what is present decides.
	os.MkdirAll(filepath.Join(site, "_access"), 0o755)
	os.WriteFile(filepath.Join(site, "_access", "restricted.json"),
		[]byte(`{"v":1,"prefixes":{"document/DOC-2026-007/":"prj-upgrade-2026","project/prj-upgrade-2026/":"prj-upgrade-2026"},"indexes":{}}`), 0o644)
	if _, stderr, code := run(t, dir, "publish", link, "--dir", "repo/public"); code != ExitOK || strings.Contains(stderr, "受控") {
		t.Fatalf("manifest without the files: exit %d, want a plain publish:\n%s", code, stderr)
	}
	// A site holding restricted documents is not published (a plain
	// web server would serve them to anyone), unless the operator says
	// the server controls access itself.
	os.MkdirAll(filepath.Join(site, "document", "DOC-2026-007", "files"), 0o755)
	os.WriteFile(filepath.Join(site, "document", "DOC-2026-007", "index.html"),
		[]byte(`<html><head><meta name="opsbook-restricted" content="prj-upgrade-2026"></head><body>受控</body></html>`), 0o644)
	os.WriteFile(filepath.Join(site, "document", "DOC-2026-007", "files", "合同.pdf"), []byte("%PDF"), 0o644)
	before, _ := os.Readlink(link)
	_, stderr, code = run(t, dir, "publish", link, "--dir", "repo/public")
	if code != ExitError || !strings.Contains(stderr, "含 2 个受控文件（1 个受控页面及其附件、受控搜索索引；1 个受控项目）") || !strings.Contains(stderr, "--omit-restricted") || !strings.Contains(stderr, "--allow-restricted") {
		t.Errorf("restricted site: exit %d, want a refusal naming --omit-restricted and --allow-restricted:\n%s", code, stderr)
	}
	if after, _ := os.Readlink(link); after != before {
		t.Errorf("a refused publish switched the site: %s → %s", before, after)
	}
	_, stderr, code = run(t, dir, "publish", link, "--dir", "repo/public", "--allow-restricted")
	if code != ExitOK || !strings.Contains(stderr, "警告：") || !strings.Contains(stderr, "已发布") {
		t.Errorf("--allow-restricted: exit %d, want a warning and a publish:\n%s", code, stderr)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"publish"}, "需要且只需要一个发布目标"},
		{[]string{"publish", "sftp://deploy:secret@127.0.0.1/srv/www"}, "口令不能写在命令行"},
		{[]string{"publish", link, "--keep", "0", "--dir", "repo/public"}, "--keep"},
		{[]string{"publish", link, "--dir", "nowhere"}, "opsbook site build"},
		{[]string{"publish", "deploy@web:/srv/www"}, "sftp://deploy@web/srv/www"},
	} {
		_, stderr, code := run(t, dir, c.args...)
		if code != ExitError || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
		if strings.Contains(stderr, "secret") {
			t.Errorf("%v: password echoed: %s", c.args, stderr)
		}
	}
}
