// Package site builds the static knowledge & report site: it stages every
// record as a Hugo page (with display-ready fields, backlinks and its git
// audit trail), computes the dashboard, charts and change calendar in Go,
// runs Hugo in-process with the embedded theme and a locked-down security
// config, copies static files, writes the search index, and swaps the result
// into public/ so a failed build never leaves a broken site. It is the only
// package that imports Hugo.
//
// Documents' attachments are copied beside their pages (attachments.go) and
// projects show their file inventory. Restricted content — restricted
// projects and their documents, confidential documents — is listed in
// public/_access/restricted.json, indexed per project under
// search-restricted/<project>/ instead of the public index, and named only
// by placeholder on pages not restricted to the same project
// (restricted.go); Serve and ServeWith put internal/access in front of the
// output, which enforces the manifest and an access file.
package site
