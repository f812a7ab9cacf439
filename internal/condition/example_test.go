package condition_test

import (
	"fmt"
	"time"

	"github.com/opsbook/opsbook/internal/condition"
)

func Example() {
	values := map[string]any{
		"STATUS":        int64(503),
		"RESPONSE_TIME": 2400 * time.Millisecond,
		"BODY":          `{"data":{"status":"ok"}}`,
	}
	for _, s := range []string{"[STATUS]==200", "[RESPONSE_TIME] < 2s", "[BODY].data.status == ok", "has([BODY].items)"} {
		c, err := condition.Parse(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		r := c.Eval(values)
		fmt.Printf("%s → %v, actual %s", c, r.Success, r.Actual)
		if r.Reason != "" {
			fmt.Printf("（%s）", r.Reason)
		}
		fmt.Println()
	}
	_, err := condition.Parse("[RESPONSE_TIME] < 2")
	fmt.Println(err)
	// Output:
	// [STATUS] == 200 → false, actual 503
	// [RESPONSE_TIME] < 2s → false, actual 2.4s
	// [BODY].data.status == ok → true, actual ok
	// has([BODY].items) → false, actual false（[BODY] 中没有字段 "items"；现有字段：data）
	// 条件 "[RESPONSE_TIME] < 2" 第 19 列：[RESPONSE_TIME] 是时长，数字 2 须带单位；请写成 2s、2m 或 2h
}
