package registry

import (
	"slices"
	"testing"
)

func TestRegistry(t *testing.T) {
	r := New[int]("number")
	r.Register("two", 2)
	r.Register("one", 1)
	if v, ok := r.Lookup("two"); !ok || v != 2 {
		t.Errorf("Lookup(two) = %v, %v", v, ok)
	}
	if _, ok := r.Lookup("three"); ok {
		t.Error("Lookup(three) found something")
	}
	if got := r.Names(); !slices.Equal(got, []string{"one", "two"}) {
		t.Errorf("Names() = %v", got)
	}
	defer func() {
		if p := recover(); p != "duplicate number one" {
			t.Errorf("duplicate Register: panic %v", p)
		}
	}()
	r.Register("one", 11)
}
