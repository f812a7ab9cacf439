// Package record loads one record file — plain YAML, or Markdown with YAML
// front matter — into plain Go values with a JSON-pointer → line:col index.
//
// The loader is deliberately strict: it rejects duplicate keys, anchors and
// aliases, merge keys, non-string keys, explicit tags (other than !!str,
// !!map and !!seq on their own kind of node), several documents in one file, files
// over a size cap, invalid UTF-8 and absurd nesting, and it never coerces
// scalars the way YAML 1.1 would (dates stay strings, numbers keep their
// digits), so every later error can point at file:line:col.
package record
