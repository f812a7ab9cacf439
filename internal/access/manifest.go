package access

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Paths shared with internal/site, which writes them.
const (
	// ManifestPath is the site-relative file listing restricted content.
	ManifestPath = "_access/restricted.json"
	// RestrictedIndexDir holds one search index per project,
	// <RestrictedIndexDir>/<project>/, in internal/search's format.
	RestrictedIndexDir = "search-restricted"
	// ReservedDir is the URL space of the server's own pages; nothing under
	// it is served from the site directory.
	ReservedDir = "_access"
	// RestrictedMeta is the name of the <meta> element in the head of
	// every restricted page: <meta name="opsbook-restricted"
	// content="project">. opsbook publish finds restricted pages by it.
	RestrictedMeta = "opsbook-restricted"
)

// Manifest lists the site's restricted content: site-relative path prefixes
// (ending in "/") and the project each belongs to, and every project's
// restricted search index.
type Manifest struct {
	V        int               `json:"v"`
	Prefixes map[string]string `json:"prefixes,omitempty"` // "document/DOC-2026-001/" → "prj-…"
	Indexes  map[string]string `json:"indexes,omitempty"`  // project → "search-restricted/<project>/"
	// Omitted says the site was built without its restricted content
	// (site build --omit-restricted); such a manifest lists nothing.
	Omitted bool `json:"omitted,omitempty"`
}

// ParseManifest reads a manifest.
func ParseManifest(data []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s：%w", ManifestPath, err)
	}
	if m.V != 1 {
		return nil, fmt.Errorf("%s：不支持的版本 %d（用本版本的 opsbook 重新构建站点）", ManifestPath, m.V)
	}
	return &m, nil
}

// ProjectOf returns the project a site-relative path belongs to, or "" when
// it is not restricted. Matching ignores case (a case-insensitive file
// system would serve DOCUMENT/… as document/…), and a directory path
// without its final slash matches its prefix too. Everything under the
// restricted index directory is restricted, listed or not.
func (m *Manifest) ProjectOf(path string) (string, bool) {
	lp := strings.ToLower(path)
	best, proj := -1, ""
	if m != nil {
		for pre, p := range m.Prefixes {
			lpre := strings.ToLower(pre)
			if (strings.HasPrefix(lp, lpre) || lp+"/" == lpre) && len(lpre) > best {
				best, proj = len(lpre), p
			}
		}
	}
	if best >= 0 {
		return proj, true
	}
	if ri := strings.ToLower(RestrictedIndexDir); lp == ri || strings.HasPrefix(lp, ri+"/") {
		return "", true // restricted, but of no project anyone is granted
	}
	return "", false
}

// Projects lists the projects with a restricted index, sorted.
func (m *Manifest) Projects() []string {
	if m == nil {
		return nil
	}
	out := make([]string, 0, len(m.Indexes))
	for p := range m.Indexes {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
