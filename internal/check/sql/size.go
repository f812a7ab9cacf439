package sql

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/opsbook/opsbook/internal/condition"
)

// sizeUnits are binary multiples: 1GB = 1024³ bytes, as ops dashboards
// and the database catalogues themselves count.
var sizeUnits = map[string]float64{
	"": 1, "B": 1,
	"K": 1 << 10, "KB": 1 << 10, "KIB": 1 << 10,
	"M": 1 << 20, "MB": 1 << 20, "MIB": 1 << 20,
	"G": 1 << 30, "GB": 1 << 30, "GIB": 1 << 30,
	"T": 1 << 40, "TB": 1 << 40, "TIB": 1 << 40,
	"P": 1 << 50, "PB": 1 << 50, "PIB": 1 << 50,
}

const sizeHint = "应为容量，例如 500GB、1.5TB 或字节数"

// parseSize reads a capacity: a byte count or a number with a unit.
func parseSize(v any) (condition.Size, error) {
	var f float64
	switch x := v.(type) {
	case int:
		f = float64(x)
	case int64:
		f = float64(x)
	case float64:
		f = x
	case json.Number:
		n, err := x.Float64()
		if err != nil {
			return 0, errors.New(sizeHint)
		}
		f = n
	case string:
		s := strings.ToUpper(strings.TrimSpace(x))
		i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
		if i < 0 {
			i = len(s)
		}
		num, unit := s[:i], strings.TrimSpace(s[i:])
		mult, ok := sizeUnits[unit]
		n, err := strconv.ParseFloat(num, 64)
		if !ok || err != nil {
			return 0, fmt.Errorf("%q %s", x, sizeHint)
		}
		f = n * mult
	default:
		return 0, errors.New(sizeHint)
	}
	if f <= 0 || math.IsInf(f, 0) || math.IsNaN(f) || f > math.MaxInt64/2 {
		return 0, errors.New("应为大于 0 的容量，例如 500GB")
	}
	return condition.Size(math.Round(f)), nil
}
