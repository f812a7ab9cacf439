package runner

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/opsbook/opsbook/internal/record"
)

// openAnomaly is an anomaly record the runner opened and nobody closed yet.
type openAnomaly struct {
	ID, Path string // Path is repository-relative
}

// openAnomalies finds the open anomalies of runbook id, by check name. It
// reads only anomaly records, and only their front matter matters.
func openAnomalies(root, runbookID string, maxSize int64) (map[string]openAnomaly, error) {
	out := map[string]openAnomaly{}
	dir := filepath.Join(root, "content", "anomaly")
	years, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	for _, y := range years {
		if !y.IsDir() {
			continue
		}
		files, err := os.ReadDir(filepath.Join(dir, y.Name()))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if f.IsDir() || !strings.HasSuffix(f.Name(), ".md") || strings.HasPrefix(f.Name(), ".") {
				continue
			}
			rel := "content/anomaly/" + y.Name() + "/" + f.Name()
			r, err := record.ReadFile(filepath.Join(root, filepath.FromSlash(rel)), rel, maxSize)
			if err != nil {
				continue // opsbook validate reports it; the runner carries on
			}
			rb, _ := r.Fields["runbook"].(string)
			chk, _ := r.Fields["check"].(string)
			status, _ := r.Fields["status"].(string)
			if rb == runbookID && chk != "" && status == "open" {
				out[chk] = openAnomaly{ID: r.ID(), Path: rel}
			}
		}
	}
	return out, nil
}
