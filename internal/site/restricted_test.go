package site

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/internal/access"
)

// Restricted-content fixture: a public project with a public and a
// confidential document, a restricted project with one document, and a
// change referring to both projects. Marker strings of the restricted
// records must never reach a file anyone may read without a grant.
const (
	secretDocTitle  = "甲方绝密合同正本"
	secretDocBody   = "受控正文标记XQ7"
	secretProjTitle = "乙号保密改造工程"
	secretProjDoc   = "乙号工程设计说明"
	secretFileName  = "签章版合同扫描件.pdf"
)

// secretMarkers are the restricted titles and texts of the fixture (the
// confidential attachment holds secretDocBody too; its file name is not a
// marker: the public document names it in a bad reference of its own).
var secretMarkers = []string{secretDocTitle, secretDocBody, secretProjTitle, secretProjDoc}

func writeFiles(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func sha(data string) string {
	s := sha256.Sum256([]byte(data))
	return hex.EncodeToString(s[:])
}

// zipWith builds a zip whose entries include unsafe names and a symlink.
func zipWith(t testing.TB) []byte {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, name := range []string{"说明.txt", "../../etc/cron.d/evil", "/abs/path.txt"} {
		f, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte("content of " + name))
	}
	h := &zip.FileHeader{Name: "link-to-passwd"}
	h.SetMode(fs.ModeSymlink | 0o777)
	f, err := w.CreateHeader(h)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("/etc/passwd"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func tarWith(t testing.TB) []byte {
	var b bytes.Buffer
	w := tar.NewWriter(&b)
	w.WriteHeader(&tar.Header{Name: "脚本/check.sh", Mode: 0o755, Size: 4, Typeflag: tar.TypeReg})
	w.Write([]byte("echo"))
	w.WriteHeader(&tar.Header{Name: "escape", Linkname: "../../../../root/.ssh/id_rsa", Typeflag: tar.TypeSymlink})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// restrictedRepo writes the fixture (real schemas) and returns its root.
func restrictedRepo(t testing.TB) string {
	t.Helper()
	root := miniRepo(t)
	zipData, tarData := string(zipWith(t)), string(tarWith(t))
	pdf := "%PDF-1.4 contract " + secretDocBody
	manual := "用户手册正文"
	design := "设计说明正文"
	files := map[string]string{
		"content/project/2026/prj-open.yaml": "id: prj-open\nkind: project\ntitle: 公开运维项目\nstatus: active\nstart: 2026-01-01\n" +
			"document_attributes:\n  - {name: contract_no, title: 合同编号, type: string}\n  - {name: signed, title: 已签署, type: boolean}\n",
		"content/project/2026/prj-secret.yaml": "id: prj-secret\nkind: project\ntitle: " + secretProjTitle + "\nstatus: active\nstart: 2026-01-01\nrestricted: true\n",
		"content/document/2026/DOC-2026-801.md": "---\nid: DOC-2026-801\nkind: document\ntitle: 公开用户手册\nproject: prj-open\ncategory: manual\ndate: 2026-03-01\n" +
			"confidentiality: internal\nattributes: {contract_no: HT-001, signed: true}\nfiles:\n" +
			"  - {path: 用户手册.docx, sha256: " + sha(manual) + ", size: " + itoa(len(manual)) + "}\n" +
			"  - {path: 附件包/样例.zip, sha256: " + sha(zipData) + "}\n" +
			"  - {path: scripts.tar, sha256: " + sha(tarData) + "}\n" +
			"  - {path: out-link.txt}\n" +
			"  - {path: ../DOC-2026-802/" + secretFileName + "}\n" +
			"---\n\n公开手册的摘要。\n",
		"content/document/2026/DOC-2026-801/用户手册.docx":   manual,
		"content/document/2026/DOC-2026-801/附件包/样例.zip":  zipData,
		"content/document/2026/DOC-2026-801/scripts.tar": tarData,
		"content/document/2026/DOC-2026-801/未登记.txt":     "not listed: must not be published",
		"content/document/2026/DOC-2026-802.md": "---\nid: DOC-2026-802\nkind: document\ntitle: " + secretDocTitle + "\nproject: prj-open\ncategory: contract\ndate: 2026-03-02\n" +
			"confidentiality: confidential\nattributes: {contract_no: HT-SECRET-9}\nfiles:\n  - {path: " + secretFileName + ", sha256: " + sha(pdf) + "}\n---\n\n" + secretDocBody + "：合同条款摘要。\n",
		"content/document/2026/DOC-2026-802/" + secretFileName: pdf,
		"content/document/2026/DOC-2026-803.md": "---\nid: DOC-2026-803\nkind: document\ntitle: " + secretProjDoc + "\nproject: prj-secret\ncategory: design\ndate: 2026-03-03\n" +
			"confidentiality: internal\nfiles:\n  - {path: 设计.docx, sha256: " + sha(design) + "}\n---\n\n受控项目的设计。\n",
		"content/document/2026/DOC-2026-803/设计.docx": design,
		"content/change/2026/CHG-2026-801.md": "---\nid: CHG-2026-801\nkind: change\ntitle: 迷你数据库参数调整\ntype: config\nstatus: done\nrisk: low\n" +
			"requester: 张伟\nwindow: {start: '2026-03-10 20:00', end: '2026-03-10 22:00'}\nassets: [mini-db]\nproject: prj-secret\n---\n\n" +
			"## 实施方案\n\n调整参数。\n\n## 应急预案\n\n观察。\n\n## 回退方案\n\n恢复参数。\n",
	}
	writeFiles(t, root, files)
	outside := filepath.Join(filepath.Dir(root), "outside.txt")
	if err := os.WriteFile(outside, []byte("OUTSIDE-THE-REPO"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "content/document/2026/DOC-2026-801/out-link.txt")); err != nil {
		t.Fatal(err)
	}
	return root
}

func itoa(n int) string { return strconv.Itoa(n) }

func buildRestricted(t testing.TB, omit bool) *builtSite {
	t.Helper()
	root := restrictedRepo(t)
	out := filepath.Join(filepath.Dir(root), "public")
	var logb bytes.Buffer
	res, err := Build(context.Background(), Options{Root: root, Out: out, Now: fixedNow(), Log: &logb, OmitRestricted: omit})
	if err != nil {
		t.Fatalf("%v\n%s", err, logb.String())
	}
	return &builtSite{root: root, out: out, res: res, log: logb.String()}
}

// TestAttachmentsPublished: listed files are copied beside their page with
// size and SHA-256; archives are listed with their unsafe entries flagged;
// a symlink, a path out of the attachment directory and unlisted files are
// not published.
func TestAttachmentsPublished(t *testing.T) {
	s := buildRestricted(t, false)
	files := filepath.Join(s.out, "document", "DOC-2026-801", "files")
	for name, want := range map[string]bool{
		"用户手册.docx": true, "附件包/样例.zip": true, "scripts.tar": true,
		"out-link.txt": false, "未登记.txt": false, "../DOC-2026-802/" + secretFileName: false,
	} {
		_, err := os.Lstat(filepath.Join(files, filepath.FromSlash(name)))
		if (err == nil) != want {
			t.Errorf("%s published: %v, want %v", name, err == nil, want)
		}
	}
	if data, err := os.ReadFile(filepath.Join(files, "用户手册.docx")); err != nil || string(data) != "用户手册正文" {
		t.Errorf("copied attachment: %q %v", data, err)
	}
	filepath.WalkDir(s.out, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type()&fs.ModeSymlink != 0 {
			t.Errorf("the site contains a symbolic link: %s", p)
		}
		if err == nil && !d.IsDir() {
			if data, _ := os.ReadFile(p); bytes.Contains(data, []byte("OUTSIDE-THE-REPO")) || bytes.Contains(data, []byte("not listed: must not")) {
				t.Errorf("%s holds a file that is not a listed attachment", p)
			}
		}
		return nil
	})
	page := readOut(t, s.out, "document/DOC-2026-801/index.html")
	for _, want := range []string{
		sha("用户手册正文"), ">用户手册.docx</a>", "18 B", // size of the manual
		"压缩包内容：附件包/样例.zip", "<code>说明.txt</code>", "<code>../../etc/cron.d/evil</code>", "<code>/abs/path.txt</code>",
		"压缩包内容：scripts.tar", "<code>脚本/check.sh</code>", `class="unsafe"`,
		"out-link.txt<div class=\"warn\">⚠ 未发布：", "符号链接",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("document page lacks %q", want)
		}
	}
	if n := strings.Count(page, `<tr class="unsafe">`); n < 4 {
		t.Errorf("%d archive entries flagged unsafe, want ≥ 4 (.., absolute, zip symlink, tar symlink)", n)
	}
	if !strings.Contains(s.log, "out-link.txt") {
		t.Errorf("the build log does not warn about the symlinked attachment:\n%s", s.log)
	}
	// Every attachment link resolves.
	testInternalLinksResolve(t, s)
}

// TestRestrictedContent: the manifest lists every restricted page, file and
// index; restricted records are in their project's index only; no file
// outside the manifest's prefixes holds a restricted title or text.
func TestRestrictedContent(t *testing.T) {
	s := buildRestricted(t, false)
	data, err := os.ReadFile(filepath.Join(s.out, filepath.FromSlash(access.ManifestPath)))
	if err != nil {
		t.Fatal(err)
	}
	m, err := access.ParseManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"document/DOC-2026-802/": "prj-open", "document/DOC-2026-803/": "prj-secret", "project/prj-secret/": "prj-secret",
		"search-restricted/prj-open/": "prj-open", "search-restricted/prj-secret/": "prj-secret",
	}
	if len(m.Prefixes) != len(want) {
		t.Errorf("manifest prefixes %v, want %v", m.Prefixes, want)
	}
	for p, proj := range want {
		if m.Prefixes[p] != proj {
			t.Errorf("manifest: %s → %q, want %q", p, m.Prefixes[p], proj)
		}
	}
	if s.res.Restricted != 3 || s.res.RestrictedIndexes != 2 {
		t.Errorf("Result: %d restricted, %d indexes; want 3 and 2", s.res.Restricted, s.res.RestrictedIndexes)
	}
	if _, err := os.Stat(filepath.Join(s.out, "document", "DOC-2026-802", "files", secretFileName)); err != nil {
		t.Errorf("the confidential document's attachment is not published (for granted users): %v", err)
	}
	// Every file outside the restricted prefixes is free of restricted text.
	leaks := 0
	err = filepath.WalkDir(s.out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(s.out, p)
		rel = filepath.ToSlash(rel)
		if _, restricted := m.ProjectOf(rel); restricted || strings.HasPrefix(rel, "_access/") {
			return nil
		}
		body, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, secret := range secretMarkers {
			if bytes.Contains(body, []byte(secret)) {
				t.Errorf("%s (not restricted) contains %q", rel, secret)
				leaks++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The restricted pages show them, and are where the project's index
	// finds them.
	if !strings.Contains(readOut(t, s.out, "document/DOC-2026-802/index.html"), secretDocTitle) {
		t.Error("the confidential document's own page does not show its title")
	}
	proj := readOut(t, s.out, "project/prj-secret/index.html")
	if !strings.Contains(proj, secretProjDoc) || !strings.Contains(proj, "restricted-badge") {
		t.Error("the restricted project's page does not list its document by title, or is not marked restricted")
	}
	if groups, _ := filepath.Glob(filepath.Join(s.out, "search-restricted", "prj-open", "d", "*.json")); len(groups) == 0 {
		t.Error("no restricted index for prj-open")
	} else if body, _ := os.ReadFile(groups[0]); !bytes.Contains(body, []byte(secretDocTitle)) {
		t.Error("prj-open's restricted index does not hold the confidential document")
	}
	// Public pages name them only by placeholder.
	open := readOut(t, s.out, "project/prj-open/index.html")
	if !strings.Contains(open, "受控文档（需授权）") || !strings.Contains(open, "公开用户手册") || !strings.Contains(open, "<td>HT-001</td><td>是</td>") {
		t.Error("the public project's inventory does not show the public document with its attributes and a placeholder for the confidential one")
	}
	change := readOut(t, s.out, "change/CHG-2026-801/index.html")
	if !strings.Contains(change, "受控项目（需授权）（prj-secret）") {
		t.Error("the change page does not show a placeholder for the restricted project")
	}
	list := readOut(t, s.out, "document/index.html")
	if strings.Count(list, "受控文档（需授权）") != 2 {
		t.Errorf("the document list has %d placeholders, want 2", strings.Count(list, "受控文档（需授权）"))
	}
	if body, _ := os.ReadFile(filepath.Join(s.out, "_access", "search.json")); !bytes.Contains(body, []byte(`"indexes":[]`)) {
		t.Errorf("_access/search.json for static hosting: %s", body)
	}
	// Restricted pages, and only they, carry the mark opsbook publish
	// looks for, naming their project.
	for page, want := range map[string]string{
		"document/DOC-2026-802/index.html": `<meta name="opsbook-restricted" content="prj-open">`,
		"document/DOC-2026-803/index.html": `<meta name="opsbook-restricted" content="prj-secret">`,
		"project/prj-secret/index.html":    `<meta name="opsbook-restricted" content="prj-secret">`,
		"document/DOC-2026-801/index.html": "",
		"project/prj-open/index.html":      "",
		"document/index.html":              "",
		"index.html":                       "",
	} {
		body := readOut(t, s.out, page)
		if want == "" && strings.Contains(body, access.RestrictedMeta) || want != "" && !strings.Contains(body, want) {
			t.Errorf("%s: restricted mark %q wanted, page head:\n%.400s", page, want, body)
		}
	}
}

// TestOmitRestricted: site build --omit-restricted leaves restricted pages,
// attachments and indexes out, with placeholders that link nowhere and
// name nothing, and a manifest that lists nothing.
func TestOmitRestricted(t *testing.T) {
	s := buildRestricted(t, true)
	data, err := os.ReadFile(filepath.Join(s.out, filepath.FromSlash(access.ManifestPath)))
	if err != nil {
		t.Fatal(err)
	}
	if m, err := access.ParseManifest(data); err != nil || !m.Omitted || len(m.Prefixes) != 0 || len(m.Indexes) != 0 {
		t.Errorf("manifest of an omitted build: %s (%v), want {\"v\":1,\"omitted\":true} and nothing listed", data, err)
	}
	// The omitted records' ids appear nowhere: not in the manifest, the
	// lists' and the inventory's placeholders, nor the reference from the
	// public change to the restricted project (DOC-2026-802 is left out
	// of this check: the public DOC-2026-801 names it in a bad attachment
	// path of its own).
	for _, id := range []string{"DOC-2026-803", "prj-secret"} {
		filepath.WalkDir(s.out, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(id)) || bytes.Contains(b, []byte(access.RestrictedMeta)) {
					t.Errorf("%s names the omitted %s or carries the restricted mark", p, id)
				}
			}
			return nil
		})
	}
	for _, page := range []string{"_access/restricted.json", "document/index.html", "project/prj-open/index.html"} {
		if strings.Contains(readOut(t, s.out, page), "DOC-2026-802") {
			t.Errorf("%s names the omitted DOC-2026-802", page)
		}
	}
	if list := readOut(t, s.out, "document/index.html"); strings.Count(list, "受控文档（需授权）") != 2 {
		t.Errorf("the document list has %d placeholders, want 2", strings.Count(list, "受控文档（需授权）"))
	}
	if change := readOut(t, s.out, "change/CHG-2026-801/index.html"); !strings.Contains(change, "<td>受控项目（需授权）</td>") {
		t.Error("the change page does not show a bare placeholder for the omitted project")
	}
	for _, p := range []string{"document/DOC-2026-802", "document/DOC-2026-803", "project/prj-secret", "search-restricted"} {
		if _, err := os.Stat(filepath.Join(s.out, p)); err == nil {
			t.Errorf("%s was built despite OmitRestricted", p)
		}
	}
	if _, err := os.Stat(filepath.Join(s.out, "document", "DOC-2026-801", "files", "用户手册.docx")); err != nil {
		t.Errorf("the public document's attachment is missing: %v", err)
	}
	var all []byte
	filepath.WalkDir(s.out, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			all = append(all, b...)
		}
		return nil
	})
	for _, secret := range secretMarkers {
		if bytes.Contains(all, []byte(secret)) {
			t.Errorf("the site built without restricted content contains %q", secret)
		}
	}
	if strings.Contains(readOut(t, s.out, "document/index.html"), `href="../document/DOC-2026-802/"`) {
		t.Error("the document list links the omitted page")
	}
	testInternalLinksResolve(t, s)
	if got := slices.Sorted(func(yield func(string) bool) {
		for _, e := range mustReadDir(t, filepath.Join(s.out, "document")) {
			if !yield(e) {
				return
			}
		}
	}); !slices.Equal(got, []string{"DOC-2026-801", "index.html"}) {
		t.Errorf("document/ holds %v", got)
	}
}

func mustReadDir(t testing.TB, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}
