package site

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"

	"github.com/opsbook/opsbook/internal/access"
	"github.com/opsbook/opsbook/internal/kind"
	"github.com/opsbook/opsbook/internal/search"
)

// Restricted content. A project record with restricted: true, every
// document of such a project and every document whose confidentiality is
// confidential is restricted: readable only by the groups an access file
// grants its project (internal/access). The build
//
//   - lists the pages and attachments of restricted records in
//     public/_access/restricted.json (path prefix → project), which
//     `opsbook site serve --access` enforces, and marks every restricted
//     page with <meta name="opsbook-restricted" content="project">
//     (access.RestrictedMeta), which `opsbook publish` looks for;
//   - keeps restricted records out of the public search index and writes
//     one index per project under search-restricted/<project>/;
//   - shows a restricted record's title, fields and attributes only on
//     pages that are themselves restricted to the same project; everywhere
//     else (lists, related records, references, the inventory of a public
//     project) the entry is a placeholder, "受控文档（需授权）", without
//     title (and without id when the page is omitted).

// placeholderOf is what a restricted record is called where it may not be
// shown.
func placeholderOf(r *rec) string {
	switch r.kind.Name {
	case "document":
		return "受控文档（需授权）"
	case "project":
		return "受控项目（需授权）"
	}
	return "受控记录（需授权）"
}

// projectIDRE is what a project id must look like to name a directory.
var projectIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// markRestricted sets every record's restricted project, after all records
// are loaded (a document's depends on its project's flag). A document
// whose project is unknown or oddly named is restricted to no project:
// nobody is granted it.
func (s *stage) markRestricted() {
	for _, r := range s.recs {
		switch r.kind.Name {
		case "project":
			if p, _ := kind.ProjectFrom(r.Record); p.Restricted {
				r.restricted, r.proj = true, r.id
			}
		case "document":
			p := r.str("project")
			pr := s.byID[p]
			projRestricted := false
			if pr != nil && pr.kind.Name == "project" {
				p, _ := kind.ProjectFrom(pr.Record)
				projRestricted = p.Restricted
			}
			if r.str("confidentiality") == "confidential" || projRestricted {
				r.restricted = true
				if pr != nil && pr.kind.Name == "project" && projectIDRE.MatchString(p) {
					r.proj = p
				}
			}
		}
	}
}

// visibleOn reports whether target may be shown on page (nil: a page that
// is not a record's, like a list or the dashboard).
func visibleOn(target, page *rec) bool {
	if !target.restricted {
		return true
	}
	return page != nil && page.restricted && page.proj != "" && page.proj == target.proj
}

// hasPage reports whether a record's page is built (restricted pages are
// left out with Options.OmitRestricted).
func (s *stage) hasPage(r *rec) bool { return !(s.omit && r.restricted) }

// placeholderID is the id a placeholder for r shows: its id while its page
// is built (readers with a grant follow the link), nothing when the page
// is omitted, so that a site built for static hosting does not name what
// it left out.
func (s *stage) placeholderID(r *rec) string {
	if !s.hasPage(r) {
		return ""
	}
	return r.id
}

// manifest lists the restricted pages, attachments and indexes. A build
// that omits restricted content says only that: it names and describes
// nothing it left out (opsbook publish decides from the files present,
// publish.FindRestricted).
func (s *stage) manifest() access.Manifest {
	if s.omit {
		return access.Manifest{V: 1, Omitted: true}
	}
	m := access.Manifest{V: 1, Prefixes: map[string]string{}, Indexes: map[string]string{}}
	for _, r := range s.recs {
		if r.restricted {
			m.Prefixes[r.url()] = r.proj
		}
	}
	for p := range s.restrictedDocs() {
		if p != "" {
			dir := access.RestrictedIndexDir + "/" + p + "/"
			m.Prefixes[dir] = p
			m.Indexes[p] = dir
		}
	}
	return m
}

// writeManifest writes public/_access/restricted.json.
func writeManifest(public string, manifest any) error {
	data, err := json.MarshalIndent(manifest, "", " ")
	if err != nil {
		return err
	}
	p := filepath.Join(public, filepath.FromSlash(access.ManifestPath))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(p, append(data, '\n'), 0o644); err != nil {
		return err
	}
	// A static copy of the site answers the search client's question with
	// "no restricted index"; opsbook site serve answers it per user.
	return os.WriteFile(filepath.Join(filepath.Dir(p), "search.json"), []byte(`{"user":"","indexes":[]}`+"\n"), 0o644)
}

// publicDocs are the search documents of records that are not restricted.
func (s *stage) publicDocs() []search.Doc {
	docs := s.searchDocs()
	out := make([]search.Doc, 0, len(docs))
	for i, d := range docs {
		if !s.recs[i].restricted {
			out = append(out, d)
		}
	}
	return out
}

// restrictedDocs are the search documents of restricted records by
// project ("" for those of no known project, which no index holds).
func (s *stage) restrictedDocs() map[string][]search.Doc {
	docs := s.searchDocs()
	out := map[string][]search.Doc{}
	for i, d := range docs {
		if r := s.recs[i]; r.restricted {
			out[r.proj] = append(out[r.proj], d)
		}
	}
	return out
}

// writeRestrictedIndexes writes one search index per project with
// restricted records under dir/<project>/.
func writeRestrictedIndexes(dir string, byProj map[string][]search.Doc) (int, error) {
	projs := make([]string, 0, len(byProj))
	for p := range byProj {
		if p != "" {
			projs = append(projs, p)
		}
	}
	sort.Strings(projs)
	for _, p := range projs {
		if _, err := search.Write(filepath.Join(dir, p), byProj[p], search.Options{}); err != nil {
			return 0, err
		}
	}
	return len(projs), nil
}
