package site

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/opsbook/opsbook/internal/archive"
	"github.com/opsbook/opsbook/internal/attachment"
	"github.com/opsbook/opsbook/internal/config"
	"github.com/opsbook/opsbook/internal/inventory"
)

// Attachments. A document lists its files under files:, relative to its
// attachment directory (content/document/2026/DOC-2026-001/ beside
// DOC-2026-001.md). The build copies every listed file — and nothing else —
// to document/<id>/files/<path> beside the page, reading it through
// internal/attachment (no symbolic link followed, nothing outside the
// attachment directory), hashing it on the way; the page shows each file's
// size and SHA-256 and, for zip and tar files, the archive's listing
// (internal/archive: unsafe entries flagged, bombs bounded).

// attachmentsDir is where, inside the staging directory, copies wait for
// the Hugo build to finish (they are moved into public/ afterwards).
const attachmentsDir = "attachments"

// attachmentView is one attachment on a document page.
type attachmentView struct {
	Name    string // path below the attachment directory
	URL     string // site-relative; "" when the file was not published
	Size    string
	SHA256  string
	Problem string // why it was not published, or differs from the record
	Archive *archiveView
}

// archiveView is the listing of a zip or tar attachment.
type archiveView struct {
	Format    string
	Entries   []archiveEntryView
	More      int // entries listed but not shown on the page
	Declared  int64
	Total     string
	Problems  []string
	Truncated bool
}

type archiveEntryView struct {
	Name, Type, Size, Modified string
	Unsafe                     string
	Nested                     bool // inside an archive inside the attachment
}

// archiveShown is how many entries of an archive a page shows.
const archiveShown = 300

// archiveLimits bound the listing of one attachment.
var archiveLimits = archive.Limits{MaxEntries: 2000}

// attachments copies a document's listed files into the staging
// directory and describes them. Files are copied only for records whose
// page is built.
func (s *stage) attachments(r *rec) []attachmentView {
	refs := attachment.Refs(r.Fields)
	if len(refs) == 0 {
		return nil
	}
	var out []attachmentView
	done := map[string]bool{}
	for _, ref := range refs {
		v := attachmentView{Name: ref.Path}
		if done[ref.Path] {
			continue
		}
		done[ref.Path] = true
		if err := s.copyAttachment(r, ref, &v); err != nil {
			v.Problem = "未发布：" + err.Error()
			s.warn(fmt.Sprintf("%s：附件 %s 未发布：%v", r.Path, ref.Path, err))
		}
		out = append(out, v)
	}
	return out
}

// copyAttachment copies one attachment to
// <staging>/attachments/<kind>/<id>/files/<path> and fills v.
func (s *stage) copyAttachment(r *rec, ref attachment.Ref, v *attachmentView) error {
	f, err := attachment.Open(s.rp.Index.Root, r.Path, ref.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	size := f.Info.Size()
	v.Size = attachment.FormatSize(size)
	if limit := s.maxAttachment(); limit > 0 && size > limit {
		return fmt.Errorf("大小 %s 超过上限 %s（opsbook.yaml documents.max_attachment_size）", attachment.FormatSize(size), attachment.FormatSize(limit))
	}
	if !s.hasPage(r) {
		return nil
	}
	dst := filepath.Join(s.dir, attachmentsDir, r.kind.Name, r.id, "files", filepath.FromSlash(ref.Path))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), io.LimitReader(f, size+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && n != size {
		err = fmt.Errorf("读取时文件被修改（%d 字节，预期 %d）", n, size)
	}
	if err != nil {
		os.Remove(dst)
		return err
	}
	v.SHA256 = hex.EncodeToString(h.Sum(nil))
	v.URL = r.url() + "files/" + escapeSegments(ref.Path)
	var diffs []string
	if ref.SHA256 != "" && ref.SHA256 != v.SHA256 {
		diffs = append(diffs, "SHA-256 与记录不符（记录为 "+ref.SHA256[:min(12, len(ref.SHA256))]+"…）")
	}
	if ref.SHA256 == "" {
		diffs = append(diffs, "记录未登记 SHA-256")
	}
	if ref.Size >= 0 && ref.Size != size {
		diffs = append(diffs, fmt.Sprintf("大小与记录不符（记录为 %d 字节）", ref.Size))
	}
	if len(diffs) > 0 {
		v.Problem = strings.Join(diffs, "；") + "：运行 opsbook docs hash " + r.id + " 更新记录"
		s.warn(fmt.Sprintf("%s：附件 %s：%s", r.Path, ref.Path, v.Problem))
	}
	if isArchive(ref.Path) {
		v.Archive = listArchive(dst)
	}
	return nil
}

func (s *stage) maxAttachment() int64 {
	if n := s.rp.Config.Documents.MaxAttachmentSize; n > 0 {
		return n
	}
	return config.DefaultMaxAttachmentSize
}

// escapeSegments percent-encodes each segment of a slash-separated path.
func escapeSegments(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

func isArchive(name string) bool {
	n := strings.ToLower(name)
	for _, ext := range []string{".zip", ".tar", ".tar.gz", ".tgz"} {
		if strings.HasSuffix(n, ext) {
			return true
		}
	}
	return false
}

// listArchive lists an archive for its page.
func listArchive(path string) *archiveView {
	l, err := archive.List(path, archiveLimits)
	if err != nil {
		msg := err.Error()
		if errors.Is(err, archive.ErrFormat) {
			msg = "无法列出内容：" + archive.ErrFormat.Error()
		}
		return &archiveView{Problems: []string{msg}}
	}
	v := &archiveView{Format: l.Format, Declared: l.Declared, Total: attachment.FormatSize(l.TotalSize), Problems: l.Problems, Truncated: l.Truncated}
	var add func(es []archive.Entry, nested bool)
	add = func(es []archive.Entry, nested bool) {
		for _, e := range es {
			if len(v.Entries) >= archiveShown {
				v.More++
			} else {
				ev := archiveEntryView{Name: e.Name, Type: entryTypes[e.Type], Nested: nested, Unsafe: strings.Join(e.Unsafe, "；")}
				if e.Type == archive.TypeFile {
					ev.Size = attachment.FormatSize(e.Size)
				}
				if e.Link != "" {
					ev.Name += " → " + e.Link
				}
				if !e.Modified.IsZero() {
					ev.Modified = e.Modified.Format("2006-01-02 15:04")
				}
				v.Entries = append(v.Entries, ev)
			}
			if e.Nested != nil {
				add(e.Nested.Entries, true)
			}
		}
	}
	add(l.Entries, false)
	return v
}

var entryTypes = map[string]string{
	archive.TypeFile: "文件", archive.TypeDir: "目录", archive.TypeSymlink: "符号链接", archive.TypeHardlink: "硬链接",
	archive.TypeDevice: "设备", archive.TypeFIFO: "管道", archive.TypeOther: "其他",
}

// moveAttachments moves the staged copies into the built site.
func (s *stage) moveAttachments(public string) error {
	base := filepath.Join(s.dir, attachmentsDir)
	kinds, err := os.ReadDir(base)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, k := range kinds {
		ids, err := os.ReadDir(filepath.Join(base, k.Name()))
		if err != nil {
			return err
		}
		for _, id := range ids {
			page := filepath.Join(public, k.Name(), id.Name())
			if err := os.MkdirAll(page, 0o755); err != nil {
				return err
			}
			if err := os.Rename(filepath.Join(base, k.Name(), id.Name(), "files"), filepath.Join(page, "files")); err != nil {
				return err
			}
		}
	}
	return nil
}

// ---- inventory ----

// inventoryView is a project's document inventory (项目文件清单).
type inventoryView struct {
	Attrs      []string
	Rows       []inventoryRow
	Documents  int
	Files      int
	Size       string
	Stale      int
	Hidden     int // restricted documents shown without details
	ReviewDays int
}

type inventoryRow struct {
	ID, URL, Title     string
	Category, Version  string
	Confidentiality    string
	Attrs              []string
	Files              int
	Size               string
	Changed, Author    string
	Reviewed           string // the latest of reviewed, date and last change
	StaleReason        string
	Stale, Restricted  bool
	Hidden             bool // a placeholder: the document is not shown here
	ConfidentialityKey string
}

// reviewDays is documents.review_days (default 365).
func (s *stage) reviewDays() int {
	if n := s.rp.Config.Documents.ReviewDays; n > 0 {
		return n
	}
	return config.DefaultReviewDays
}

// projectInventory is internal/inventory's inventory of the repository
// (what opsbook docs inventory prints), built once, by project id.
func (s *stage) projectInventory() map[string]*inventory.Project {
	s.invOnce.Do(func() {
		s.inv = map[string]*inventory.Project{}
		inv, err := inventory.Build(s.rp, inventory.Options{Now: s.now, History: s.audit})
		if err != nil {
			s.warn("项目文件清单：" + err.Error())
			return
		}
		for i := range inv.Projects {
			s.inv[inv.Projects[i].ID] = &inv.Projects[i]
		}
	})
	return s.inv
}

// inventory is the inventory of the documents of project page p; a
// document that may not be shown there is a placeholder row.
func (s *stage) inventory(p *rec) *inventoryView {
	ip := s.projectInventory()[p.id]
	if ip == nil || len(ip.Documents) == 0 {
		return nil
	}
	v := &inventoryView{ReviewDays: s.reviewDays()}
	for _, c := range ip.Attributes {
		v.Attrs = append(v.Attrs, c.Title)
	}
	var total int64
	loc := s.rp.Config.Location
	for _, d := range ip.Documents {
		v.Documents++
		row := inventoryRow{ID: d.ID}
		r := s.byID[d.ID]
		if r == nil || r.kind.Name != "document" {
			continue // not loaded (opsbook validate reports it)
		}
		if s.hasPage(r) {
			row.URL = r.url()
		}
		if !visibleOn(r, p) {
			row.ID = s.placeholderID(r)
			row.Title, row.Restricted, row.Hidden = placeholderOf(r), true, true
			v.Hidden++
			v.Rows = append(v.Rows, row)
			continue
		}
		row.Title, row.Restricted = d.Title, r.restricted
		row.Category, row.Version = d.CategoryLabel, d.Version
		row.ConfidentialityKey, row.Confidentiality = d.Confidentiality, d.ConfidentialityLabel
		for _, c := range ip.Attributes {
			row.Attrs = append(row.Attrs, s.value(r, "/attributes/"+c.Name, d.Attributes[c.Name]))
		}
		var size int64
		for _, f := range d.Files {
			size += f.Size
		}
		row.Files = len(d.Files)
		if row.Files > 0 {
			row.Size = attachment.FormatSize(size)
		}
		total += size
		v.Files += row.Files
		if !d.Changed.IsZero() {
			row.Changed, row.Author = d.Changed.In(loc).Format("2006-01-02 15:04"), d.ChangedBy
		}
		row.Reviewed, row.Stale, row.StaleReason = d.LastActivity, d.Stale, d.StaleReason
		if row.Stale {
			v.Stale++
		}
		v.Rows = append(v.Rows, row)
	}
	v.Size = attachment.FormatSize(total)
	return v
}

// attributeTypes are the Chinese names of attribute value types.
var attributeTypes = map[string]string{"string": "文本", "number": "数值", "integer": "整数", "boolean": "是/否", "date": "日期", "enum": "枚举"}

// attributeTable is a project's document attribute definitions, from
// document_schema or document_attributes alike.
func (s *stage) attributeTable(p *rec) (Table, bool) {
	defs := s.rp.Rules.Projects[p.id]
	if len(defs) == 0 {
		return Table{}, false
	}
	t := Table{Label: "文档自定义属性", Columns: []string{"属性名", "中文名称", "值类型", "必填", "可选值", "说明"}}
	for _, d := range defs {
		req := ""
		if d.Required {
			req = "是"
		}
		typ := attributeTypes[d.Type]
		if typ == "" {
			typ = d.Type
		}
		t.Rows = append(t.Rows, []string{d.Name, d.Title, typ, req, strings.Join(d.Values, "、"), d.Description})
	}
	return t, true
}
