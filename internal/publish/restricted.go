package publish

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/opsbook/opsbook/internal/access"
)

// Restricted is the restricted content present in a built site: what a
// plain web server would hand to anyone who can reach it.
type Restricted struct {
	Files    []string // site-relative, slash-separated, sorted
	Pages    int      // of Files, the restricted pages (HTML marked restricted)
	Projects []string // the projects they belong to, sorted ("" is not listed)
}

// restrictedMeta matches the mark of a restricted page, <meta
// name="opsbook-restricted" content="project">, quoted or not (a minified
// page drops the quotes). Record text never produces it: the site escapes
// record bodies and fields.
var restrictedMeta = regexp.MustCompile(`(?i)<meta\s+name=["']?` + regexp.QuoteMeta(access.RestrictedMeta) + `["']?(?:\s+content=["']?([^"'\s>]*))?`)

// headBytes is how much of an HTML file is searched for the mark: it is
// in the page's <head>, a few hundred bytes in.
const headBytes = 64 << 10

// readHead reads the first headBytes of a file.
func readHead(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, headBytes))
}

// FindRestricted scans the built site at root for restricted content that
// is actually there, whatever its _access/restricted.json says: pages
// marked restricted (access.RestrictedMeta) and every file beside or below
// them (attachments), anything under the restricted search indexes
// (access.RestrictedIndexDir), and any file under a prefix the manifest of
// a full build lists. A site built with --omit-restricted holds none of
// these; its manifest names nothing.
func FindRestricted(root string) (*Restricted, error) {
	root, err := checkSite(root)
	if err != nil {
		return nil, err
	}
	var prefixes = map[string]string{} // page directory or manifest prefix → project
	if data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(access.ManifestPath))); err == nil {
		m, err := access.ParseManifest(data)
		if err != nil {
			return nil, fmt.Errorf("站点目录 %s：%w；请用本版本的 opsbook 重新构建站点", root, err)
		}
		for pre, proj := range m.Prefixes {
			prefixes[strings.ToLower(pre)] = proj
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("读取 %s 失败：%w", filepath.Join(root, filepath.FromSlash(access.ManifestPath)), err)
	}

	// First the marked pages: each makes its directory restricted.
	var files []string
	res := &Restricted{}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		files = append(files, rel)
		if ext := strings.ToLower(path.Ext(rel)); ext != ".html" && ext != ".htm" {
			return nil
		}
		data, err := readHead(p)
		if err != nil {
			return err
		}
		if m := restrictedMeta.FindSubmatch(data); m != nil {
			res.Pages++
			dir := strings.ToLower(path.Dir(rel)) + "/"
			if dir == "./" {
				dir = "" // a restricted index.html at the top: everything is restricted
			}
			prefixes[dir] = string(bytes.TrimSpace(m[1]))
		}
		return nil
	})
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("读取站点目录 %s 失败：%v", pe.Path, pe.Err)
		}
		return nil, fmt.Errorf("读取站点目录 %s 失败：%w", root, err)
	}

	projects := map[string]bool{}
	for _, rel := range files {
		lrel := strings.ToLower(rel)
		proj, restricted := "", false
		if ri := strings.ToLower(access.RestrictedIndexDir) + "/"; strings.HasPrefix(lrel, ri) {
			proj, _, _ = strings.Cut(rel[len(ri):], "/")
			restricted = true
		}
		for pre, p := range prefixes {
			if strings.HasPrefix(lrel, pre) {
				proj, restricted = p, true
				break
			}
		}
		if restricted {
			res.Files = append(res.Files, rel)
			if proj != "" {
				projects[proj] = true
			}
		}
	}
	slices.Sort(res.Files)
	for p := range projects {
		res.Projects = append(res.Projects, p)
	}
	slices.Sort(res.Projects)
	return res, nil
}
