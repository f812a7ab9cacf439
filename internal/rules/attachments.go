package rules

import (
	"errors"
	"fmt"
	"strings"

	"github.com/opsbook/opsbook/internal/attachment"
	"github.com/opsbook/opsbook/internal/diag"
	"github.com/opsbook/opsbook/internal/layout"
	"github.com/opsbook/opsbook/internal/record"
)

// checkAttachments checks every file a record lists under `files:` (safe
// path, a regular file in the record's attachment directory, under the size
// cap, recorded SHA-256 and size right) and reports files in the directory
// that the record does not list.
func (c *Context) checkAttachments(r *record.Record) []diag.Violation {
	var vs []diag.Violation
	add := func(p record.Pos, rule, format string, args ...any) {
		vs = append(vs, diag.At(r.Path, p.Line, p.Col, rule, format, args...))
	}
	id := r.ID()
	if id == "" {
		id = layout.NewEntry(r.Path).Stem
	}
	maxSize := c.Config.Documents.MaxAttachmentSize
	listed := map[string]int{}
	for _, ref := range attachment.Refs(r.Fields) {
		item := record.Pointer("files", fmt.Sprint(ref.Index))
		if first, dup := listed[ref.Path]; dup {
			add(r.At(item+"/path"), attachment.RuleDuplicated, "附件 %s 重复登记（另见 files 第 %d 项）；请删除重复的一项", ref.Path, first+1)
			continue
		}
		listed[ref.Path] = ref.Index
		info, err := attachment.Inspect(c.Index.Root, r.Path, ref.Path, maxSize, true)
		var ae *attachment.Error
		switch {
		case errors.As(err, &ae):
			add(r.At(item+"/path"), ae.Rule, "%s", ae.Message)
			continue
		case err != nil:
			add(r.At(item+"/path"), "attachment/read", "无法读取附件：%v", err)
			continue
		}
		switch {
		case ref.SHA256 == "":
			add(r.KeyAt(item+"/path"), attachment.RuleSHA256, "附件 %s 没有登记 sha256；运行 opsbook docs hash %s 填写", info.Path, id)
		case ref.SHA256 != info.SHA256:
			add(r.At(item+"/sha256"), attachment.RuleSHA256, "附件 %s 的 SHA-256 与登记的不一致（文件 %s…，登记 %s…）：文件被修改或替换过；确认文件无误后运行 opsbook docs hash %s 更新",
				info.Path, info.SHA256[:12], short(ref.SHA256), id)
		}
		if ref.Size >= 0 && ref.Size != info.Size {
			add(r.At(item+"/size"), attachment.RuleSize, "附件 %s 的大小为 %d 字节，登记为 %d 字节；运行 opsbook docs hash %s 更新", info.Path, info.Size, ref.Size, id)
		}
	}
	where := r.KeyAt("/files")
	if !r.Has("files") {
		where = r.KeyAt("/id")
	}
	for _, a := range c.Index.AttachmentsIn(layout.AttachmentDir(r.Path)) {
		switch {
		case a.Name == "":
			add(where, attachment.RuleNotFile, "附件目录 %s 不是目录（符号链接或特殊文件）；附件目录必须是仓库中的真实目录", a.Dir)
		case !a.Mode.IsRegular():
			if _, ok := listed[a.Name]; !ok {
				add(where, attachment.RuleNotFile, "附件目录中的 %s 不是普通文件（符号链接、设备或管道）；请删除它，附件必须是普通文件", a.Path)
			}
		default:
			if _, ok := listed[a.Name]; !ok {
				add(where, attachment.RuleUnrefd, "附件目录中的文件 %s 没有被记录引用；请在 files 中登记（opsbook docs hash %s --add），或删除该文件", a.Path, id)
			}
		}
	}
	return vs
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

// CheckAttachmentDirs checks files found in attachment directories against
// the records that should own them: the kind must take attachments (else
// the file is simply misplaced) and the directory's record must exist next
// to it. Files of a directory whose record exists are checked with that
// record.
func (c *Context) CheckAttachmentDirs(atts []layout.Attachment) []diag.Violation {
	var vs []diag.Violation
	for _, a := range atts {
		k, ok := c.Schemas.Kinds[a.Kind]
		if !ok || !k.Attachments || !yearDir.MatchString(a.Year) {
			vs = append(vs, diag.At(a.Path, 1, 1, "record/path-layout", "位置不对：记录应放在 content/<类型>/<年份>/<编号>.yaml|.md"))
			continue
		}
		owned := false
		for _, e := range c.Index.Lookup(a.Owner) {
			if e.Kind == a.Kind && e.Year == a.Year && e.Depth == 3 && e.Ext == k.Ext() {
				owned = true
			}
		}
		if !owned && a.Name == "" {
			vs = append(vs, diag.At(a.Path, 1, 1, attachment.RuleOrphanDir, "%s 不是记录文件，也没有对应的记录 %s%s；请删除它", a.Path, a.Dir, k.Ext()))
		} else if !owned {
			vs = append(vs, diag.At(a.Path, 1, 1, attachment.RuleOrphanDir, "%s 在附件目录 %s/ 中，但没有对应的记录 %s%s；附件目录必须与记录同名并在同一目录下：请补建记录，或把文件移到所属记录的附件目录",
				strings.TrimPrefix(a.Path, a.Dir+"/"), a.Dir, a.Dir, k.Ext()))
		}
	}
	return vs
}
