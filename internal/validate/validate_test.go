package validate

import (
	"context"
	"testing"

	"github.com/opsbook/opsbook/internal/testrepo"
	"github.com/opsbook/opsbook/internal/workspace"
)

func generated(tb testing.TB, n int) string {
	tb.Helper()
	return testrepo.Generated(tb, n, 7)
}

// TestGeneratedRepositoryIsValid keeps the scale generator honest: what it
// writes must pass every rule, or the benchmarks measure error paths.
func TestGeneratedRepositoryIsValid(t *testing.T) {
	dir := generated(t, 3000)
	res, err := Run(context.Background(), Options{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Files != 3001 || res.Summary.Records != 3001 {
		t.Errorf("summary %+v, want 3000 records and a runbook", res.Summary)
	}
	for i, v := range res.Violations {
		if i < 10 {
			t.Error(v)
		}
	}
	// Same seed, same repository.
	again := generated(t, 3000)
	a, _ := workspace.Open(dir)
	b, _ := workspace.Open(again)
	if len(a.Index.Entries) != len(b.Index.Entries) || a.Index.Entries[1234] != b.Index.Entries[1234] {
		t.Error("generator is not reproducible")
	}
}

func BenchmarkValidate10k(b *testing.B) {
	dir := generated(b, 10000)
	b.ResetTimer()
	for b.Loop() {
		res, err := Run(context.Background(), Options{Root: dir})
		if err != nil || len(res.Violations) > 0 {
			b.Fatal(err, res.Violations)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/10000, "ns/record")
}
