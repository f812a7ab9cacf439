package sql

import (
	"math/big"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

func TestConvert(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	cases := []struct {
		in       any
		typeName string
		want     any
	}{
		{nil, "TEXT", nil},
		{int32(7), "INT4", int64(7)},
		{uint64(1 << 63), "BIGINT UNSIGNED", float64(1 << 63)},
		{float32(0.5), "FLOAT4", 0.5},
		{[]byte("12.50"), "DECIMAL", 12.5},
		{[]byte("42"), "DECIMAL", int64(42)},
		{[]byte("42"), "VARCHAR", "42"},
		{"1234567890123456789012", "NUMBER", 1.234567890123456789012e21},
		{"n/a", "NUMBER", "n/a"},
		{[]byte{0xff, 0x00}, "BLOB", "ff00"},
		{time.Date(2026, 1, 5, 8, 30, 0, 0, shanghai), "TIMESTAMPTZ", "2026-01-05T08:30:00+08:00"},
		{big.NewInt(9), "NUMERIC", int64(9)},
		{pgtype.Numeric{Int: big.NewInt(1250), Exp: -2, Valid: true}, "numeric", 12.5},
		{pgtype.Numeric{}, "numeric", nil},
		{map[string]any{"a": 1}, "jsonb", `{"a":1}`},
		{true, "BOOL", true},
	}
	for _, c := range cases {
		if got := convert(c.in, c.typeName); got != c.want {
			t.Errorf("convert(%#v, %s) = %#v (%T), want %#v", c.in, c.typeName, got, got, c.want)
		}
	}
}

func TestColumnNames(t *testing.T) {
	got := columnNames([]string{"CNT", "cnt", "Name", "", "CNT"})
	want := []string{"cnt", "cnt_2", "name", "column", "cnt_3"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("columnNames = %v, want %v", got, want)
		}
	}
}
