// Package chart renders small charts as standalone, inline SVG at build time:
// line charts (e.g. inspection pass rate per day), stacked bar charts (e.g.
// anomalies per ISO week by severity), horizontal bar charts (e.g. tickets per
// department) and an empty-state placeholder with the same frame.
//
// The output is hand-written SVG with no JavaScript, no external references
// and no <style> element (inline SVG styles would leak into the page): every
// element carries presentation attributes and an "oc-*" class so that page
// CSS can restyle it. All caller text is sanitised and XML-escaped. Text is
// measured with a per-rune width estimate that knows CJK and full-width
// characters take a whole em, which drives margins, label thinning, rotation,
// truncation (full text kept in a <title> for hover) and legend wrapping.
//
// Series stay distinguishable without colour: lines differ in dash pattern and
// marker shape, bars in fill pattern, and legends show the same swatches.
// Output is deterministic: the same input gives byte-identical SVG.
package chart
