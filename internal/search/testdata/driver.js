// Test driver: runs the real search client (themes/opsbook/static/search/
// search.js) in Node against a written index. Reads one JSON request on
// stdin: {script, index, ops: [{op: "tokenize", inputs: [...]} |
// {op: "search", query, kind, details} | {op: "searchAll", indexes: [dir…],
// query, kind}]}; writes a JSON array of answers.
// Every search op gets a fresh loader, so its file list is a cold-cache
// download.
'use strict';
const fs = require('fs');
const path = require('path');

async function main() {
  const req = JSON.parse(fs.readFileSync(0, 'utf8'));
  const api = require(path.resolve(req.script));
  const out = [];
  for (const op of req.ops) {
    if (op.op === 'tokenize') {
      out.push(op.inputs.map((s) => api.tokenize(s)));
      continue;
    }
    if (op.op === 'search') {
      const loaded = [];
      const load = (p, version) => {
        loaded.push(p);
        return fs.promises.readFile(path.join(req.index, p), 'utf8');
      };
      const res = await api.search(load, op.query, op.kind || '');
      const n = op.details < 0 ? res.total : Math.min(op.details || 0, res.total);
      const items = await res.page(0, n);
      out.push({
        total: res.total,
        terms: res.terms,
        hits: res.hits.map((h) => h.id),
        scores: res.hits.map((h) => h.score),
        kindCounts: res.kindCounts,
        items: items.map((r) => ({ url: r.url, title: r.title, kind: r.kind, kindLabel: r.kindLabel, date: r.date, titleSegs: r.titleSegs, snippet: r.snippet })),
        loaded,
      });
      continue;
    }
    if (op.op === 'searchAll') {
      const loaded = [];
      const loads = op.indexes.map((dir) => (p) => {
        loaded.push(dir + ':' + p);
        return fs.promises.readFile(path.join(dir, p), 'utf8');
      });
      const res = await api.searchAll(loads, op.query, op.kind || '');
      const items = await res.page(0, res.total);
      out.push({
        total: res.total,
        kindCounts: res.kindCounts,
        kinds: res.kinds.map((k) => k.kind),
        items: items.map((r) => ({ url: r.url, title: r.title, kind: r.kind, restricted: !!r.restricted })),
        loaded,
      });
      continue;
    }
    throw new Error('unknown op ' + op.op);
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  console.error((e && e.stack) || e);
  process.exit(1);
});
