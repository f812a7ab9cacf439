package report

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/period"
	"github.com/opsbook/opsbook/internal/testrepo"
	"github.com/opsbook/opsbook/internal/workspace"
)

// BenchmarkAnnualReport computes, writes and validates the 2026 annual
// report over a generated repository: OPSBOOK_BENCH_REPO names an existing
// one (.ci/bench makes .cache/bench-100000), otherwise 100,000 records are
// generated first. The figure for issue #5 comes from .ci/bench, which
// times the real binary; this benchmark is for profiling.
func BenchmarkAnnualReport(b *testing.B) {
	dir := os.Getenv("OPSBOOK_BENCH_REPO")
	if dir == "" {
		dir = testrepo.Generated(b, 100000, 1)
	}
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rp, err := workspace.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		p, _ := period.Parse(period.Year, "2026", rp.Config.Location)
		_ = os.Remove(filepath.Join(dir, filepath.FromSlash(Path(p))))
		if _, err := Generate(ctx, rp, p, GenerateOptions{Now: time.Date(2027, 1, 4, 9, 0, 0, 0, rp.Config.Location), Author: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
}
