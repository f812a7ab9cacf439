package record

import "testing"

var benchChange = []byte(`---
id: CHG-2026-007
kind: change
title: 交换库 USERS 表空间扩容
type: optimization
status: approved
requester: 张伟
implementer: 李娜
reviewers: [王强]
assets: [exchange-db, exchange-sys]
window:
  start: "2026-10-16 20:00"
  end: "2026-10-16 22:00"
risk: medium
---
## 实施方案

1. 检查表空间使用率。
2. 新增数据文件。

## 应急预案

1. 联系 DBA。

## 回退方案

1. 删除新增数据文件。
`)

func BenchmarkParseMarkdownRecord(b *testing.B) {
	b.SetBytes(int64(len(benchChange)))
	for b.Loop() {
		if _, err := Parse("content/change/2026/CHG-2026-007.md", benchChange); err != nil {
			b.Fatal(err)
		}
	}
}
