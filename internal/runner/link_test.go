package runner

import "testing"

// linkInspection appends to the list in whatever form a person left it,
// and changes nothing else.
func TestLinkInspection(t *testing.T) {
	const body = "---\n\n## 现象\n\n人写的内容\n"
	for _, tc := range []struct{ name, fm, want string }{
		{"block list", "id: ANO-2026-1\ninspections:\n  - INS-2026-a\nstatus: open\n",
			"id: ANO-2026-1\ninspections:\n  - INS-2026-a\n  - INS-2026-new\nstatus: open\n"},
		{"block list without indent", "id: ANO-2026-1\ninspections:\n- INS-2026-a\n",
			"id: ANO-2026-1\ninspections:\n- INS-2026-a\n- INS-2026-new\n"},
		{"flow list", "id: ANO-2026-1\ninspections: [INS-2026-a, INS-2026-b] # 注释\nstatus: open\n",
			"id: ANO-2026-1\ninspections:\n  - INS-2026-a\n  - INS-2026-b\n  - INS-2026-new\nstatus: open\n"},
		{"no list: starts with the source inspection", "id: ANO-2026-1\ninspection: INS-2026-a\nstatus: open\n",
			"id: ANO-2026-1\ninspection: INS-2026-a\ninspections:\n  - INS-2026-a\n  - INS-2026-new\nstatus: open\n"},
		{"no inspection at all", "id: ANO-2026-1\nstatus: open\n",
			"id: ANO-2026-1\nstatus: open\ninspections:\n  - INS-2026-new\n"},
	} {
		got, ok := linkInspection("a.md", []byte("---\n"+tc.fm+body), "INS-2026-new")
		if !ok || string(got) != "---\n"+tc.want+body {
			t.Errorf("%s: got (%v)\n%s\nwant\n---\n%s%s", tc.name, ok, got, tc.want, body)
		}
		if again, ok := linkInspection("a.md", got, "INS-2026-new"); ok {
			t.Errorf("%s: linked twice:\n%s", tc.name, again)
		}
	}
}
