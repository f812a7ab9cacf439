package rules

import (
	"slices"
	"strings"

	"github.com/opsbook/opsbook/internal/diag"
	"github.com/opsbook/opsbook/internal/kind"
	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/schema"
)

// AttrDef is one custom document attribute a project defines, in the
// simple shape templates and the site use. Type is string, number, integer,
// boolean, date (a string of format date) or enum (a string from Values);
// the full definition is in Context.ProjectSchemas.
type AttrDef struct {
	Name, Title, Type string
	Required          bool
	Values            []string
	Description       string
	// Example is the project's example value (examples[0] or default), nil
	// when it gives none.
	Example any
}

// projectSchema builds a project's attribute schema from document_schema
// (the JSON Schema fragment) or the older document_attributes list; a
// project with neither allows no attributes.
func projectSchema(r *record.Record) (*schema.AttributeSchema, error) {
	p, _ := kind.ProjectFrom(r)
	if p.DocumentSchema != nil {
		return schema.CompileAttributes(p.DocumentSchema, propertyOrder(r, "/document_schema/properties"), "/document_schema")
	}
	return schema.AttributesFromList(p.DocumentAttributes)
}

// propertyOrder lists the keys of the object at ptr in the order written.
func propertyOrder(r *record.Record, ptr string) []string {
	m, _ := recordValue(r.Fields, ptr).(map[string]any)
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int {
		pa, pb := r.KeyAt(ptr+"/"+record.EscapeToken(a)), r.KeyAt(ptr+"/"+record.EscapeToken(b))
		if pa.Line != pb.Line {
			return pa.Line - pb.Line
		}
		return pa.Col - pb.Col
	})
	return names
}

// recordValue returns the value at ptr, a pointer of unescaped tokens.
func recordValue(v any, ptr string) any {
	var out any
	Each(v, strings.Split(strings.TrimPrefix(ptr, "/"), "/"), "", func(_ string, x any) { out = x })
	return out
}

// attrDefs is the simple view of a project's attribute schema.
func attrDefs(a *schema.AttributeSchema) []AttrDef {
	var out []AttrDef
	for _, at := range a.Attributes {
		d := AttrDef{Name: at.Name, Title: at.Title, Type: at.Type, Required: at.Required, Values: at.Enum, Description: at.Description, Example: at.Example}
		if d.Title == "" {
			d.Title = at.Name
		}
		switch {
		case len(at.Enum) > 0:
			d.Type = "enum"
		case at.Format == "date" && at.Type != "array":
			d.Type = "date"
		case d.Type == "":
			d.Type = "string"
		}
		out = append(out, d)
	}
	return out
}

// checkProjectDocumentSchema reports what the project schema cannot see in
// a project's attribute definitions: both forms at once, a pattern that is
// not a regular expression, a required attribute that is not defined.
func checkProjectDocumentSchema(c *Context, r *record.Record) []diag.Violation {
	if p, _ := kind.ProjectFrom(r); p.HasDocumentSchema && p.HasDocumentAttributes {
		p := r.KeyAt("/document_attributes")
		return []diag.Violation{diag.At(r.Path, p.Line, p.Col, "project/document-schema", "document_schema 和 document_attributes 只能用一个；请把 document_attributes 中的属性移到 document_schema.properties 下")}
	}
	if _, err := projectSchema(r); err != nil {
		ae, _ := err.(*schema.AttributeError)
		if ae == nil {
			ae = &schema.AttributeError{Message: err.Error()}
		}
		p := r.At(ae.Pointer)
		if ae.Key {
			p = r.KeyAt(ae.Pointer)
		}
		if ae.Pointer == "" {
			p = r.KeyAt("/document_schema")
		}
		return []diag.Violation{diag.At(r.Path, p.Line, p.Col, "project/document-schema", "%s", ae.Message)}
	}
	return nil
}

// checkDocumentAttributes validates a document's attributes against its
// project's attribute schema: required ones present, no unknown names (unless
// the project allows them), values of the declared type, enum, format and
// pattern.
func checkDocumentAttributes(c *Context, r *record.Record) []diag.Violation {
	doc, _ := kind.DocumentFrom(r)
	project, attrs, present := doc.Project, doc.Attributes, doc.HasAttributes
	as, known := c.ProjectSchemas[project]
	if !known || as == nil {
		return nil // ref/unresolved reports a missing project, the project rule a broken schema
	}
	var vs []diag.Violation
	for _, p := range as.Check(attrs, project) {
		var pos record.Pos
		switch {
		case p.Missing && present:
			pos = r.KeyAt("/attributes")
		case p.Missing:
			pos = r.KeyAt("/project")
		case p.Unknown:
			pos = r.KeyAt("/attributes" + p.Pointer)
		default:
			pos = r.At("/attributes" + p.Pointer)
		}
		vs = append(vs, diag.At(r.Path, pos.Line, pos.Col, "document/attributes", "%s", p.Message))
	}
	diag.Sort(vs)
	return vs
}
