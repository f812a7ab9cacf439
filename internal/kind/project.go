package kind

import (
	"github.com/opsbook/opsbook/internal/diag"
	"github.com/opsbook/opsbook/internal/record"
)

// Project is a project record (content/project/): it owns documents and
// defines their attributes.
type Project struct {
	ID, Title, Path string
	Code, Status    string
	Owner           string
	Restricted      bool // its documents are readable only with a grant
	// DocumentSchema is the JSON Schema fragment of the documents'
	// attributes, nil when missing or not an object; DocumentAttributes
	// is the older list form. HasDocumentSchema and HasDocumentAttributes
	// say whether each key is written at all.
	DocumentSchema        map[string]any
	DocumentAttributes    []any
	HasDocumentSchema     bool
	HasDocumentAttributes bool
}

// ProjectFrom reads a project.
func ProjectFrom(r *record.Record) (Project, []diag.Violation) {
	return Project{ID: r.ID(), Title: r.Title(), Path: r.Path, Code: r.Str("code"), Status: r.Str("status"),
		Owner: r.Str("owner"), Restricted: r.Bool("restricted"),
		DocumentSchema: r.Object("document_schema"), DocumentAttributes: r.List("document_attributes"),
		HasDocumentSchema: r.Has("document_schema"), HasDocumentAttributes: r.Has("document_attributes")}, nil
}

// Document is a document record (content/document/).
type Document struct {
	ID, Title, Path string
	Project         string
	Category        string
	Version         string
	Author          string
	Date            string // the document's date as written
	Reviewed        string // the date it was last reviewed, as written
	Confidentiality string
	// LegacyFile is the older single file field.
	LegacyFile string
	// Attributes is the attributes value as written (checked against the
	// project's attribute schema); HasAttributes whether it is written.
	Attributes    any
	HasAttributes bool
	// Files is the files list as written; HasFiles whether it is written.
	Files    []any
	HasFiles bool
}

// DocumentFrom reads a document.
func DocumentFrom(r *record.Record) (Document, []diag.Violation) {
	d := Document{ID: r.ID(), Title: r.Title(), Path: r.Path, Project: r.Str("project"), Category: r.Str("category"),
		Version: r.Str("version"), Author: r.Str("author"), Date: r.Str("date"), Reviewed: r.Str("reviewed"),
		Confidentiality: r.Str("confidentiality"), LegacyFile: r.Str("file"), Files: r.List("files"), HasFiles: r.Has("files")}
	d.Attributes, d.HasAttributes = r.Fields["attributes"]
	return d, nil
}
