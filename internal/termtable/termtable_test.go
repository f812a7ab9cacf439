package termtable

import (
	"strings"
	"testing"
)

func TestWriteAlignsCJK(t *testing.T) {
	var b strings.Builder
	if err := Write(&b, [][]string{{"编号", "状态", "说明"}, {"CHG-2026-001", "已批准", ""}, {"a", "b"}}); err != nil {
		t.Fatal(err)
	}
	want := "编号          状态    说明\nCHG-2026-001  已批准\na             b\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
	if Width("变更CHG") != 7 {
		t.Errorf("Width(变更CHG) = %d, want 7", Width("变更CHG"))
	}
}
