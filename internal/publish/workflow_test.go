package publish

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/opsbook/opsbook/internal/access"
	"github.com/opsbook/opsbook/internal/check/sshtest"
	"github.com/opsbook/opsbook/internal/testrepo"
)

// workflowStep is a `run:` step of a GitHub/Gitea Actions workflow.
type workflowStep struct {
	Name string            `yaml:"name"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	Env  map[string]string `yaml:"env"`
}

// publishWorkflow reads the run steps of .github/workflows/publish.yml.
func publishWorkflow(t *testing.T) []workflowStep {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testrepo.Root(t), ".github", "workflows", "publish.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []workflowStep `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatalf("publish.yml: %v", err)
	}
	if len(wf.Jobs) != 1 {
		t.Fatalf("publish.yml has %d jobs; this test runs the steps of one", len(wf.Jobs))
	}
	var steps []workflowStep
	for _, j := range wf.Jobs {
		for _, s := range j.Steps {
			if s.Run != "" {
				steps = append(steps, s)
			}
		}
	}
	return steps
}

var secretExpr = regexp.MustCompile(`^\$\{\{\s*secrets\.([A-Z0-9_]+)\s*\}\}$`)

// runStep runs one step as a runner would (bash -e, the step's env with
// its secrets filled in) in dir, and returns its output and exit code.
// "make build" is adapted: the binary under test is put at ./bin/opsbook.
func runStep(t *testing.T, dir string, s workflowStep, secrets map[string]string) (string, int) {
	t.Helper()
	if strings.TrimSpace(s.Run) == "make build" {
		if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(opsbookBinary(t))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "bin", "opsbook"), data, 0o755); err != nil {
			t.Fatal(err)
		}
		return "", 0
	}
	if strings.Contains(s.Run, "${{") {
		t.Fatalf("step %q uses an expression in run:; teach this test what it means", s.Name)
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "CI=true", "GITHUB_ACTIONS=true", "SSH_AUTH_SOCK="}
	for k, v := range s.Env {
		m := secretExpr.FindStringSubmatch(v)
		if m == nil {
			t.Fatalf("step %q: env %s = %q is not a secret; teach this test what it means", s.Name, k, v)
		}
		env = append(env, k+"="+secrets[m[1]])
	}
	cmd := exec.Command("bash", "-e", "-c", s.Run)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	} else if err != nil {
		t.Fatalf("step %q: %v", s.Name, err)
	}
	return string(out), 0
}

// opsRepo is testrepo's fixed repository (departments, a public and a
// restricted project with their documents) in a fresh git repository, as
// the workflow's checkout would see it.
func opsRepo(t *testing.T) string {
	t.Helper()
	dir := testrepo.Fixed(t)
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"add", "-A"},
		{"-c", "user.name=张伟", "-c", "user.email=zhangwei@example.invalid", "commit", "-q", "-m", "导入台账"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return dir
}

// restrictedRecord is a record of the sample a plain web server must not
// serve: a project with restricted: true, a confidential document, or a
// document of such a project. Read from the sources with plain string
// matching, independently of the code under test.
type restrictedRecord struct{ id, title string }

func sampleRestricted(t *testing.T, repo string) (recs []restrictedRecord, publicBodies string) {
	t.Helper()
	field := func(src, name string) string {
		sc := bufio.NewScanner(strings.NewReader(src))
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), name+": "); ok {
				return strings.Trim(strings.TrimSpace(v), `"'`)
			}
		}
		return ""
	}
	read := func(pattern string) map[string]string {
		files, _ := filepath.Glob(filepath.Join(repo, "content", pattern))
		out := map[string]string{}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out[f] = string(data)
		}
		return out
	}
	projects := map[string]bool{}
	for _, src := range read("project/*/*.yaml") {
		if field(src, "restricted") == "true" {
			projects[field(src, "id")] = true
			recs = append(recs, restrictedRecord{field(src, "id"), field(src, "title")})
		}
	}
	for _, src := range read("document/*/*.md") {
		if field(src, "confidentiality") == "confidential" || projects[field(src, "project")] {
			recs = append(recs, restrictedRecord{field(src, "id"), field(src, "title")})
		}
	}
	restricted := map[string]bool{}
	for _, r := range recs {
		restricted[r.id] = true
	}
	var bodies strings.Builder
	for _, src := range read("*/*/*.md") {
		if restricted[field(src, "id")] {
			continue
		}
		if parts := strings.SplitN(src, "\n---\n", 2); len(parts) == 2 {
			bodies.WriteString(parts[1])
		}
	}
	if len(projects) == 0 || len(recs) <= len(projects) {
		t.Fatalf("the sample has %d restricted records in %d projects; this test needs a restricted project and documents", len(recs), len(projects))
	}
	return recs, bodies.String()
}

var placeholderRow = regexp.MustCompile(`(?s)<tr[^>]*class="restricted"[^>]*>.*?</tr>`)

// assertNothingRestricted checks a site built or published for static
// hosting: no restricted file, no restricted title, the ids of restricted
// records nowhere (except where a public record's own text names one),
// never on a placeholder, and a manifest that lists nothing.
func assertNothingRestricted(t *testing.T, site string, recs []restrictedRecord, publicBodies string) {
	t.Helper()
	found, err := FindRestricted(site)
	if err != nil || len(found.Files) > 0 {
		t.Errorf("%s: restricted files %v (%v)", site, found, err)
	}
	if data, err := os.ReadFile(filepath.Join(site, filepath.FromSlash(access.ManifestPath))); err != nil {
		t.Errorf("%s: %v", access.ManifestPath, err)
	} else if m, err := access.ParseManifest(data); err != nil || !m.Omitted || len(m.Prefixes) > 0 || len(m.Indexes) > 0 {
		t.Errorf("%s of an omitted build: %s (%v)", access.ManifestPath, data, err)
	}
	if _, err := os.Stat(filepath.Join(site, access.RestrictedIndexDir)); err == nil {
		t.Errorf("%s: %s/ is there", site, access.RestrictedIndexDir)
	}
	placeholders := 0
	if site, err = filepath.EvalSymlinks(site); err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(site, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		body, rel := string(data), strings.TrimPrefix(p, site+string(filepath.Separator))
		rows := placeholderRow.FindAllString(body, -1)
		placeholders += len(rows)
		for _, r := range recs {
			if strings.Contains(body, r.title) {
				t.Errorf("%s holds the title of restricted %s: %s", rel, r.id, r.title)
			}
			if !strings.Contains(body, r.id) {
				continue
			}
			if !strings.Contains(publicBodies, r.id) {
				t.Errorf("%s names restricted %s", rel, r.id)
			}
			for _, row := range rows {
				if strings.Contains(row, r.id) {
					t.Errorf("%s: a placeholder names restricted %s: %s", rel, r.id, row)
				}
			}
			if strings.Contains(body, `/`+r.id+`/"`) {
				t.Errorf("%s links the omitted page of %s", rel, r.id)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if placeholders == 0 {
		t.Errorf("%s shows no placeholder for restricted records; the check above checked nothing", site)
	}
}

// TestPublishWorkflowEndToEnd runs the run: steps of
// .github/workflows/publish.yml, as written, on a git checkout of the
// bundled sample (which has a restricted project and confidential
// documents): with PUBLISH_TARGET a directory, then an SFTP URL on a real
// sshd, then unset. Every step succeeds and what is published holds no
// restricted content and names none of it. (Before the fix the
// --omit-restricted build still listed the omitted pages in its manifest
// and publish refused it: the workflow could never publish.)
func TestPublishWorkflowEndToEnd(t *testing.T) {
	s := sshtest.Start(t)
	steps := publishWorkflow(t)
	repo := opsRepo(t)
	recs, publicBodies := sampleRestricted(t, repo)
	www := filepath.Join(t.TempDir(), "www")
	if err := os.MkdirAll(www, 0o755); err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(s.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	knownHosts, err := os.ReadFile(s.KnownHosts)
	if err != nil {
		t.Fatal(err)
	}
	local := filepath.Join(www, "local")
	remote := filepath.Join(www, "remote")
	for _, c := range []struct {
		target string
		link   string // where the site must be afterwards ("" for none)
	}{
		{local, local},
		{"sftp://" + s.User + "@" + s.Addr + remote, remote},
		{"", ""},
	} {
		secrets := map[string]string{
			"PUBLISH_TARGET":      c.target,
			"PUBLISH_SSH_KEY":     strings.TrimSpace(string(key)),
			"PUBLISH_KNOWN_HOSTS": strings.TrimSpace(string(knownHosts)),
		}
		var last string
		for _, st := range steps {
			out, code := runStep(t, repo, st, secrets)
			if code != 0 {
				t.Fatalf("PUBLISH_TARGET=%q: step %q exited %d:\n%s", c.target, st.Name, code, out)
			}
			last = out
		}
		if c.link == "" {
			if !strings.Contains(last, "未配置密钥 PUBLISH_TARGET") {
				t.Errorf("without PUBLISH_TARGET the publish step said:\n%s", last)
			}
			continue
		}
		if !strings.Contains(last, "已发布") {
			t.Errorf("PUBLISH_TARGET=%q: the publish step said:\n%s", c.target, last)
		}
		if _, err := os.Stat(filepath.Join(c.link, "index.html")); err != nil {
			t.Fatalf("PUBLISH_TARGET=%q: nothing published at %s: %v", c.target, c.link, err)
		}
		assertNothingRestricted(t, c.link, recs, publicBodies)
	}
	assertNothingRestricted(t, filepath.Join(repo, "public"), recs, publicBodies)
	entries, err := os.ReadDir(www)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "local local.releases remote remote.releases" {
		t.Errorf("%s holds %v, want the two links and their releases only", www, names)
	}
}

// TestPublishRefusesRestrictedSite: a full build (restricted pages,
// attachments and indexes present) is refused with exit 2 and nothing
// written, published with --allow-restricted and a warning, and rebuilt
// with --omit-restricted it publishes plainly: the issue's own
// `opsbook site build --omit-restricted && opsbook publish DIR`.
func TestPublishRefusesRestrictedSite(t *testing.T) {
	repo := opsRepo(t)
	www := filepath.Join(t.TempDir(), "www")
	if err := os.MkdirAll(www, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(www, "opsbook")
	if _, stderr, code := runBinary(t, repo, nil, "site", "build"); code != 0 {
		t.Fatalf("site build: exit %d\n%s", code, stderr)
	}
	found, err := FindRestricted(filepath.Join(repo, "public"))
	if err != nil || found.Pages < 3 || len(found.Projects) == 0 {
		t.Fatalf("FindRestricted on a full build: %+v, %v; want its restricted pages", found, err)
	}
	// Every restricted page the full build's manifest lists is found by
	// its mark, with the files beside it.
	data, err := os.ReadFile(filepath.Join(repo, "public", filepath.FromSlash(access.ManifestPath)))
	if err != nil {
		t.Fatal(err)
	}
	m, err := access.ParseManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	for pre := range m.Prefixes {
		if !strings.HasPrefix(pre, access.RestrictedIndexDir+"/") && !slices.Contains(found.Files, pre+"index.html") {
			t.Errorf("restricted page %sindex.html not found by FindRestricted", pre)
		}
	}
	before := treeListing(t, www)
	_, stderr, code := runBinary(t, repo, nil, "publish", link)
	if code != 2 || !strings.Contains(stderr, "受控文件") || !strings.Contains(stderr, "--omit-restricted") || !strings.Contains(stderr, "未发布") {
		t.Errorf("publish of a full build: exit %d, want 2 and a refusal:\n%s", code, stderr)
	}
	if after := treeListing(t, www); after != before {
		t.Errorf("a refused publish wrote to the target:\n%s", after)
	}
	_, stderr, code = runBinary(t, repo, nil, "publish", link, "--allow-restricted")
	if code != 0 || !strings.Contains(stderr, "警告：") || !strings.Contains(stderr, "已发布") {
		t.Errorf("publish --allow-restricted: exit %d, want a warning and a publish:\n%s", code, stderr)
	}
	if _, stderr, code := runBinary(t, repo, nil, "site", "build", "--omit-restricted"); code != 0 {
		t.Fatalf("site build --omit-restricted: exit %d\n%s", code, stderr)
	}
	_, stderr, code = runBinary(t, repo, nil, "publish", link)
	if code != 0 || strings.Contains(stderr, "受控") || !strings.Contains(stderr, "已发布") {
		t.Errorf("publish after --omit-restricted: exit %d, want a plain publish:\n%s", code, stderr)
	}
	recs, publicBodies := sampleRestricted(t, repo)
	assertNothingRestricted(t, link, recs, publicBodies)
}
