// Package site builds the static knowledge & report site: it stages every
// record as a Hugo page (with display-ready fields, backlinks and its git
// audit trail), computes the dashboard, charts and change calendar in Go,
// runs Hugo in-process with the embedded theme and a locked-down security
// config, copies static files, writes the search index, and swaps the result
// into public/ so a failed build never leaves a broken site. It is the only
// package that imports Hugo.
package site
