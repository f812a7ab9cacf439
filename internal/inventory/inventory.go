// Package inventory builds the project file inventory (项目文件清单): every
// document record grouped by project, with its category, version, author,
// confidentiality, the custom attributes its project's schema defines (one
// column each, in the project's order), every attachment with its size and
// SHA-256 as found on disk (checked against the record), the last change and
// its author from git (one gitrepo.AuditTrail pass over content/document/,
// attachments included), and whether it is stale: not reviewed, dated or
// changed within documents.review_days of opsbook.yaml.
//
// Build gathers it; WriteMarkdown, WriteCSV and WriteJSON render it with
// Chinese headers. `opsbook docs inventory` writes it (atomically to
// --output), and the site shows the same data per project.
package inventory

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/attachment"
	"github.com/opsbook/opsbook/internal/gitrepo"
	"github.com/opsbook/opsbook/internal/kind"
	"github.com/opsbook/opsbook/internal/layout"
	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/workspace"
)

// Version names the JSON shape.
const Version = "opsbook.inventory/v1"

// Inventory is the file inventory of a repository (or of one project).
type Inventory struct {
	Version     string    `json:"version"`
	Platform    string    `json:"platform"`
	GeneratedAt time.Time `json:"generated_at"`
	ReviewDays  int       `json:"review_days"`
	Projects    []Project `json:"projects"`
	// Warnings say what the inventory could not include (no git history,
	// unreadable records).
	Warnings []string `json:"warnings,omitempty"`
}

// Project is one project and its documents.
type Project struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Code       string `json:"code,omitempty"`
	Status     string `json:"status,omitempty"`
	Owner      string `json:"owner,omitempty"`
	Restricted bool   `json:"restricted"`
	Path       string `json:"path,omitempty"` // "" for documents whose project does not exist
	// Attributes are the columns of the project's document schema.
	Attributes []Column    `json:"attributes"`
	Documents  []*Document `json:"documents"`
}

// Column is one custom attribute column.
type Column struct {
	Name  string `json:"name"`
	Title string `json:"title"`
}

// Document is one document record in the inventory.
type Document struct {
	ID                   string         `json:"id"`
	Title                string         `json:"title"`
	Path                 string         `json:"path"`
	Project              string         `json:"project"`
	Category             string         `json:"category,omitempty"`
	CategoryLabel        string         `json:"category_label,omitempty"`
	Version              string         `json:"version,omitempty"`
	Author               string         `json:"author,omitempty"`
	Date                 string         `json:"date,omitempty"`
	Reviewed             string         `json:"reviewed,omitempty"`
	Confidentiality      string         `json:"confidentiality,omitempty"`
	ConfidentialityLabel string         `json:"confidentiality_label,omitempty"`
	Attributes           map[string]any `json:"attributes,omitempty"`
	Files                []File         `json:"files"`
	// LegacyFile is the deprecated `file` field, shown as registered.
	LegacyFile string `json:"legacy_file,omitempty"`
	// Changed and ChangedBy are the last git change of the record or any of
	// its attachments (zero without git history).
	Changed   time.Time `json:"changed,omitzero"`
	ChangedBy string    `json:"changed_by,omitempty"`
	// LastActivity is the latest of Reviewed, Date and Changed (a date).
	LastActivity string `json:"last_activity,omitempty"`
	Stale        bool   `json:"stale"`
	// StaleReason says since when, in Chinese ("" when not stale).
	StaleReason string `json:"stale_reason,omitempty"`
}

// File is one attachment as found on disk.
type File struct {
	Path   string `json:"path"` // repository-relative
	Name   string `json:"name"` // as listed in the record
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256,omitempty"`
	// Problem is why the file does not match the record (missing, unsafe,
	// hash or size differs), in Chinese; "" when it does.
	Problem string `json:"problem,omitempty"`
}

// Options select what Build includes.
type Options struct {
	Project string    // only this project ("" = all)
	Now     time.Time // staleness is judged at this time
	// History is the audit trail of content/ or content/document/
	// (gitrepo.AuditTrail); nil when the repository has no git history.
	History map[string]*gitrepo.Audit
}

// Build gathers the inventory of the repository rp.
func Build(rp *workspace.Workspace, o Options) (*Inventory, error) {
	now := o.Now.In(rp.Config.Location)
	inv := &Inventory{Version: Version, Platform: rp.Config.Platform, GeneratedAt: now, ReviewDays: rp.Config.Documents.ReviewDays}
	if o.History == nil {
		inv.Warnings = append(inv.Warnings, "没有 git 历史：清单不含最近修改时间和修改人")
	}
	byID := map[string]*Project{}
	var projects []*Project
	for it := range kind.All(rp.Index, "project", rp.Config.MaxFileSize) {
		if it.Err != nil || it.Record.ID() == "" {
			inv.Warnings = append(inv.Warnings, fmt.Sprintf("跳过无法读取的项目记录 %s（运行 opsbook validate 查看）", it.Entry.Path))
			continue
		}
		v, _ := kind.ProjectFrom(it.Record)
		p := &Project{ID: v.ID, Title: v.Title, Path: it.Entry.Path, Code: v.Code, Status: v.Status, Owner: v.Owner, Restricted: v.Restricted}
		for _, d := range rp.Rules.Projects[p.ID] {
			p.Attributes = append(p.Attributes, Column{Name: d.Name, Title: d.Title})
		}
		byID[p.ID] = p
		projects = append(projects, p)
	}
	if o.Project != "" && byID[o.Project] == nil {
		return nil, fmt.Errorf("没有项目 %s；可用项目：%s", o.Project, strings.Join(projectIDs(projects), ", "))
	}
	docKind := rp.Schemas.Kinds["document"]
	if docKind == nil {
		return nil, errors.New("schemas/ 中没有 document.yaml，无法生成文档清单")
	}
	for it := range kind.All(rp.Index, "document", rp.Config.MaxFileSize) {
		e := it.Entry
		if e.Depth != 3 || e.Ext != docKind.Ext() {
			continue
		}
		if it.Err != nil {
			inv.Warnings = append(inv.Warnings, fmt.Sprintf("跳过无法读取的文档记录 %s（运行 opsbook validate 查看）", e.Path))
			continue
		}
		d := document(rp, it.Record, docKind.EnumLabels)
		if o.Project != "" && d.Project != o.Project {
			continue
		}
		d.Changed, d.ChangedBy = lastChange(o.History, e.Path, rp.Index.AttachmentsIn(layout.AttachmentDir(e.Path)))
		stale(d, now, inv.ReviewDays, rp.Config.Location)
		p := byID[d.Project]
		if p == nil {
			p = &Project{ID: d.Project, Title: "（项目记录不存在）"}
			byID[d.Project] = p
			projects = append(projects, p)
		}
		p.Documents = append(p.Documents, d)
	}
	for _, p := range projects {
		if o.Project != "" && p.ID != o.Project {
			continue
		}
		slices.SortFunc(p.Documents, func(a, b *Document) int { return strings.Compare(a.ID, b.ID) })
		inv.Projects = append(inv.Projects, *p)
	}
	slices.SortFunc(inv.Projects, func(a, b Project) int { return strings.Compare(a.ID, b.ID) })
	return inv, nil
}

func projectIDs(ps []*Project) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.ID)
	}
	slices.Sort(out)
	return out
}

// document reads a document record and inspects its attachments.
func document(rp *workspace.Workspace, r *record.Record, labels map[string]map[string]string) *Document {
	v, _ := kind.DocumentFrom(r)
	d := &Document{ID: v.ID, Title: v.Title, Path: v.Path, Project: v.Project, Category: v.Category,
		Version: v.Version, Author: v.Author, Date: v.Date, Reviewed: v.Reviewed,
		Confidentiality: v.Confidentiality, LegacyFile: v.LegacyFile, Files: []File{}}
	d.CategoryLabel = labels["/category"][d.Category]
	d.ConfidentialityLabel = labels["/confidentiality"][d.Confidentiality]
	d.Attributes, _ = v.Attributes.(map[string]any)
	for _, ref := range attachment.Refs(r.Fields) {
		file := File{Path: layout.AttachmentDir(r.Path) + "/" + ref.Path, Name: ref.Path}
		info, err := attachment.Inspect(rp.Root, r.Path, ref.Path, rp.Config.Documents.MaxAttachmentSize, true)
		file.Size, file.SHA256 = info.Size, info.SHA256
		switch {
		case err != nil:
			file.Problem = err.Error()
		case ref.SHA256 == "":
			file.Problem = "未登记 sha256"
		case ref.SHA256 != info.SHA256:
			file.Problem = "SHA-256 与登记的不一致"
		case ref.Size >= 0 && ref.Size != info.Size:
			file.Problem = "大小与登记的不一致"
		}
		d.Files = append(d.Files, file)
	}
	return d
}

// lastChange is the latest git change among the record and its attachments.
func lastChange(h map[string]*gitrepo.Audit, recordPath string, atts []layout.Attachment) (time.Time, string) {
	var at time.Time
	var by string
	consider := func(p string) {
		if a := h[p]; a != nil && a.UpdatedAt.After(at) {
			at, by = a.UpdatedAt, a.UpdatedBy
		}
	}
	consider(recordPath)
	for _, a := range atts {
		consider(a.Path)
	}
	return at, by
}

// stale sets LastActivity and flags a document nobody reviewed, dated or
// changed within reviewDays of now.
func stale(d *Document, now time.Time, reviewDays int, loc *time.Location) {
	last := ""
	for _, s := range []string{d.Reviewed, d.Date} {
		if len(s) >= 10 && s[:10] > last {
			last = s[:10]
		}
	}
	if !d.Changed.IsZero() {
		if s := d.Changed.In(loc).Format(time.DateOnly); s > last {
			last = s
		}
	}
	d.LastActivity = last
	if last == "" || reviewDays <= 0 {
		return
	}
	t, err := time.ParseInLocation(time.DateOnly, last, loc)
	if err != nil {
		return
	}
	days := int(now.Sub(t).Hours() / 24)
	if days > reviewDays {
		d.Stale = true
		d.StaleReason = fmt.Sprintf("最近复核或修改于 %s，已 %d 天（复核周期 %d 天）", last, days, reviewDays)
	}
}

// Totals counts what the inventory holds.
type Totals struct {
	Documents, Files, Stale, FileProblems int
	Bytes                                 int64
}

// Totals counts documents, files, stale documents and file problems.
func (inv *Inventory) Totals() Totals {
	var t Totals
	for _, p := range inv.Projects {
		for _, d := range p.Documents {
			t.Documents++
			if d.Stale {
				t.Stale++
			}
			for _, f := range d.Files {
				t.Files++
				t.Bytes += f.Size
				if f.Problem != "" {
					t.FileProblems++
				}
			}
		}
	}
	return t
}
