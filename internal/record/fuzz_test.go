package record

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzParse checks that any input either loads into JSON-encodable values
// whose every indexed pointer resolves, or fails with a positioned *Error —
// never a panic, a hang or an untyped error.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"id: a\nkind: asset\ntitle: 门户\n",
		"---\nid: CHG-2026-001\nkind: change\n---\n## 实施方案\n1. 步骤\n",
		"a: &x 1\nb: *x\n", "<<: {a: 1}\n", "? [a]\n: b\n", "a: 2026-01-01\nb: 010\nc: 1.10\n",
		"id: a\n---\nid: b\n", "+++\na = 1\n+++\n", "x: [1, {y: [2, {z: 3}]}]\n", "a: \"\\u00e9\"\nb: 'it''s'\n",
		"k: !!binary aGk=\nt: !!timestamp 2026-01-01\n", "s: !!str 010\nm: !!map {x: !foo y}\n",
	} {
		f.Add("a.yaml", []byte(s))
		f.Add("a.md", []byte(s))
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		path := "a.yaml"
		if strings.HasSuffix(name, "md") {
			path = "a.md"
		}
		type res struct {
			r   *Record
			err error
		}
		done := make(chan res, 1)
		go func() { r, err := Parse(path, data); done <- res{r, err} }()
		var r *Record
		var err error
		select {
		case x := <-done:
			r, err = x.r, x.err
		case <-time.After(3 * time.Second):
			t.Fatalf("Parse took over 3s on %d bytes", len(data))
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			if e.Line < 1 || e.Rule == "" || e.Message == "" {
				t.Fatalf("error without position or rule: %+v", e)
			}
			return
		}
		if _, err := json.Marshal(r.Fields); err != nil {
			t.Fatalf("fields not JSON-encodable: %v", err)
		}
		for ptr, pos := range r.Index {
			if pos.Line < 1 {
				t.Fatalf("pointer %q has no line", ptr)
			}
			if _, ok := lookup(r.Fields, ptr); !ok {
				t.Fatalf("pointer %q does not resolve", ptr)
			}
		}
	})
}

func lookup(v any, ptr string) (any, bool) {
	if ptr == "" {
		return v, true
	}
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[tok]; !ok {
				return nil, false
			}
		case []any:
			i := 0
			for _, c := range tok {
				i = i*10 + int(c-'0')
			}
			if i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}
