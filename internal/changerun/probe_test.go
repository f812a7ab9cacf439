package changerun

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestStepWording pins what an execution says about failed steps through
// the probe layer: a step past its timeout names the step's limit, a failed
// condition names the condition and the actual value, and each type's
// default conditions, exit code and output excerpt apply; an interrupt
// is said as such.
func TestStepWording(t *testing.T) {
	f := newFixture(t)
	c := change{id: "CHG-2026-151", start: holidayStart, end: holidayEnd,
		steps: f.ssh("greet", "echo hi", `conditions: ['[STDOUT] == "bye"']`)}
	f.approved(c)
	c2 := change{id: "CHG-2026-152", start: holidayStart, end: holidayEnd,
		steps: f.ssh("ok", "echo fine") + f.ssh("hang", "sleep 5", "timeout: 1s")}
	f.approved(c2)
	c3 := change{id: "CHG-2026-153", start: holidayStart, end: holidayEnd, steps: f.ssh("long", "sleep 5", "timeout: 30s")}
	f.approved(c3)

	pl, err := f.prepare(c.id, inHoliday, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := pl.Execute(context.Background(), f.options(inHoliday, nil))
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Results[0]
	if r.Status != StatusFailed || r.Error != `成功条件 [STDOUT] == "bye" 不成立，实际值 hi` || r.Output != "hi" || r.ExitCode == nil || *r.ExitCode != 0 {
		t.Errorf("condition: %q %+v", r.Error, r)
	}

	pl, err = f.prepare(c2.id, inHoliday, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := pl.Procedure.Steps[0].Conditions; len(got) != 1 || got[0] != "[EXIT_CODE] == 0" {
		t.Errorf("ssh default conditions: %v", got)
	}
	rep, err = pl.Execute(context.Background(), f.options(inHoliday, nil))
	if err != nil {
		t.Fatal(err)
	}
	ok, hang := rep.Results[0], rep.Results[1]
	if ok.Status != StatusSuccess || ok.Output != "fine" {
		t.Errorf("ok step: %+v", ok)
	}
	if hang.Status != StatusFailed || !strings.HasPrefix(hang.Error, "超过步骤时限 1s：") || rep.Outcome != OutcomeFailed {
		t.Errorf("timeout: %q %+v", hang.Error, hang)
	}

	// An operator's interrupt (the context ends) is said as such.
	pl, err = f.prepare(c3.id, inHoliday, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	rep, _ = pl.Execute(ctx, f.options(inHoliday, nil))
	if rep == nil || !strings.HasPrefix(rep.Results[0].Error, "执行被中断（context canceled）：") {
		t.Errorf("interrupted: %+v", rep)
	}
}
