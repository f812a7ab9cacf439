package duty

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/layout"
	"github.com/opsbook/opsbook/internal/record"
)

var loc = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return l
}()

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		panic(err)
	}
	return t
}

const roster = `id: DUT-2026-M11
kind: duty
title: 11 月值班表
period: {start: 2026-11-01, end: 2026-11-30}
shifts:
  - {start: 2026-11-26 17:30, end: 2026-11-27 08:30, person: 李娜, role: oncall, phone: '13900000002'}
  - {start: 2026-11-27 08:30, end: 2026-11-27 17:30, person: 张伟, role: onsite, phone: '13900000001'}
  - {start: 2026-11-23 08:30, end: 2026-11-30 08:30, person: 王强, role: backup, phone: '13900000003'}
  - {start: 2026-11-27 08:30, end: 2026-11-27 17:30, person: 李娜, role: onsite, phone: '13900000002'}
  - {start: 2026-11-27 17:30, end: 2026-11-28 08:30, person: 张伟, role: oncall, phone: '13900000001'}
  - {start: 2026-11-28 09:00, end: 2026-11-28 08:00, person: 坏班次, role: oncall}
`

func names(s []Shift) string {
	var out []string
	for _, x := range s {
		out = append(out, RoleLabel(x.Role)+":"+x.Person)
	}
	return strings.Join(out, " ")
}

func TestAt(t *testing.T) {
	r, err := record.Parse("content/duty/2026/DUT-2026-M11.yaml", []byte(roster))
	if err != nil {
		t.Fatal(err)
	}
	shifts, problems := Shifts(r, loc)
	if len(shifts) != 5 || len(problems) != 1 || !strings.Contains(problems[0].String(), "第 6 个班次") {
		t.Fatalf("shifts %d, problems %v", len(shifts), problems)
	}
	for when, want := range map[string]string{
		"2026-11-27 10:00": "驻场:张伟 驻场:李娜 备岗:王强",
		"2026-11-27 08:30": "驻场:张伟 驻场:李娜 备岗:王强", // a shift starts at its start
		"2026-11-27 08:29": "电话值守:李娜 备岗:王强",     // and ends before its end
		"2026-11-27 20:00": "电话值守:张伟 备岗:王强",
		"2026-11-30 09:00": "",
	} {
		if got := names(At(shifts, at(when))); got != want {
			t.Errorf("%s: %q, want %q", when, got, want)
		}
	}
	if got := names(Next(shifts, at("2026-11-27 10:00"))); got != "电话值守:张伟" {
		t.Errorf("next: %q", got)
	}
	if Next(shifts, at("2026-12-01 00:00")) != nil {
		t.Error("next after the roster")
	}
	if got := Missing(At(shifts, at("2026-11-27 10:00")), "onsite", "oncall"); len(got) != 1 || got[0] != "oncall" {
		t.Errorf("missing %v", got)
	}
	// The same person twice in one role (overlapping rosters) shows once.
	twice := append(shifts, shifts[1])
	if got := names(At(twice, at("2026-11-27 10:00"))); got != "驻场:张伟 驻场:李娜 备岗:王强" {
		t.Errorf("dedupe: %q", got)
	}
}

func TestLoad(t *testing.T) {
	root := t.TempDir()
	p := filepath.Join(root, "content", "duty", "2026", "DUT-2026-M11.yaml")
	os.MkdirAll(filepath.Dir(p), 0o755)
	os.WriteFile(p, []byte(roster), 0o644)
	os.WriteFile(filepath.Join(filepath.Dir(p), "DUT-2026-M12.yaml"), []byte("id: [\n"), 0o644)
	ix, err := layout.Scan(root)
	if err != nil {
		t.Fatal(err)
	}
	shifts, problems := Load(ix, loc, 1<<20)
	if len(shifts) != 5 || len(problems) != 2 {
		t.Errorf("shifts %d, problems %v", len(shifts), problems)
	}
}
