/*
 * opsbook search client — no dependencies, no network calls except to the
 * index written by internal/search (see internal/search/doc.go for the file
 * layout and the DOM contract).
 *
 * Layout: this script is <site>/search/search.js and reads the index from
 * <site>/search/index/ (override with data-index="…" on the script tag);
 * result URLs are resolved against <site>/ (override with data-root="…").
 *
 * The tokenizer is the same algorithm as Go's search.Tokenize: NFKC, each
 * code point lower-cased on its own, CJK runs → each character plus the
 * bigram it starts, other letter/digit/mark runs → one word (≤ 32 code
 * points). A query uses the CJK bigrams (or the single character of a
 * one-character run) and its words, all required (AND); the last word, when
 * the query ends inside it, is matched as a prefix.
 *
 * Restricted documents are not in that index: opsbook site build writes
 * one index per project under <site>/search-restricted/<project>/, and the
 * page asks <site>/_access/search.json (data-access="…" overrides) which of
 * them the signed-in user may read; searchAll queries the public index and
 * those together and merges the hits by score.
 *
 * In Node (tests) it exports {tokenize, normalize, parseQuery, search,
 * searchAll, snippet, …} and touches no DOM.
 */
(function (root) {
  'use strict';

  var SCRIPT = typeof document !== 'undefined' ? document.currentScript : null;

  // Keep in step with cjkRanges in internal/search/tokenize.go.
  var CJK_RANGES = [
    [0x1100, 0x11FF], [0x2E80, 0x2FDF], [0x3005, 0x3007], [0x3021, 0x3029],
    [0x3031, 0x3035], [0x3038, 0x303C], [0x3040, 0x309F], [0x30A1, 0x30FA],
    [0x30FC, 0x30FF], [0x3100, 0x312F], [0x3130, 0x318F], [0x31A0, 0x31BF],
    [0x31F0, 0x31FF], [0x3400, 0x4DBF], [0x4E00, 0x9FFF], [0xA960, 0xA97F],
    [0xAC00, 0xD7FF], [0xF900, 0xFAFF], [0xFF66, 0xFF9F], [0xFFA0, 0xFFDC],
    [0x1AFF0, 0x1B16F], [0x20000, 0x3FFFF]
  ];
  var MAX_WORD = 32;
  var MAX_QUERY_TERMS = 24;
  var ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_';
  var DEC = new Int8Array(128).fill(-1);
  for (var ai = 0; ai < ALPHABET.length; ai++) DEC[ALPHABET.charCodeAt(ai)] = ai;
  var WORD_RE = /[\p{L}\p{N}\p{M}]/u;
  var SEP = 0, WORD = 1, CJK = 2;

  function isCJK(c) {
    var lo = 0, hi = CJK_RANGES.length;
    while (lo < hi) {
      var m = (lo + hi) >> 1;
      if (c < CJK_RANGES[m][0]) hi = m;
      else if (c > CJK_RANGES[m][1]) lo = m + 1;
      else return true;
    }
    return false;
  }

  function classify(ch) {
    var c = ch.codePointAt(0);
    if (c < 0x80) {
      return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) ? WORD : SEP;
    }
    if (isCJK(c)) return CJK;
    return WORD_RE.test(ch) ? WORD : SEP;
  }

  // lower1 lower-cases one code point on its own; a multi-code-point result
  // (only U+0130 İ → i + U+0307) keeps its first code point, like Go's
  // simple case mapping.
  function lower1(ch) {
    var l = ch.toLowerCase();
    return l === ch ? ch : String.fromCodePoint(l.codePointAt(0));
  }

  function lowerEach(s) {
    var out = '';
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c < 0x80) {
        out += c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : s[i];
        continue;
      }
      var cp = s.codePointAt(i);
      var ch = String.fromCodePoint(cp);
      if (cp > 0xFFFF) i++;
      out += lower1(ch);
    }
    return out;
  }

  function normalize(s) {
    return lowerEach(String(s).normalize('NFKC'));
  }

  // spans splits normalised text into runs {cjk, text, end}, end being the
  // UTF-16 offset just past the run.
  function spans(s) {
    var out = [], start = 0, cur = SEP;
    for (var i = 0; i < s.length;) {
      var cp = s.codePointAt(i), n = cp > 0xFFFF ? 2 : 1;
      var c = classify(String.fromCodePoint(cp));
      if (c !== cur) {
        if (cur !== SEP && i > start) out.push({ cjk: cur === CJK, text: s.slice(start, i), end: i });
        start = i; cur = c;
      }
      i += n;
    }
    if (cur !== SEP && s.length > start) out.push({ cjk: cur === CJK, text: s.slice(start), end: s.length });
    return out;
  }

  function wordTerm(w) {
    var cps = Array.from(w);
    return cps.length > MAX_WORD ? cps.slice(0, MAX_WORD).join('') : w;
  }

  // tokenize returns the index terms of s, in order, with repeats.
  function tokenize(s) {
    var out = [], sp = spans(normalize(s));
    for (var i = 0; i < sp.length; i++) {
      if (!sp[i].cjk) { out.push(wordTerm(sp[i].text)); continue; }
      var cps = Array.from(sp[i].text);
      for (var j = 0; j < cps.length; j++) {
        out.push(cps[j]);
        if (j + 1 < cps.length) out.push(cps[j] + cps[j + 1]);
      }
    }
    return out;
  }

  var encoder = typeof TextEncoder !== 'undefined' ? new TextEncoder() : null;
  function fnv1a(s) {
    var bytes = encoder.encode(s), h = 2166136261;
    for (var i = 0; i < bytes.length; i++) {
      h ^= bytes[i];
      h = Math.imul(h, 16777619) >>> 0;
    }
    return h >>> 0;
  }

  // baseKey: a CJK term is keyed by itself, a word by its first two code
  // points (internal/search baseKey).
  function baseKey(term) {
    var cps = Array.from(term);
    if (cps.length === 1 || isCJK(cps[0].codePointAt(0))) return term;
    return cps[0] + cps[1];
  }

  // parseQuery turns a query into required terms ({t, prefix}) and the
  // strings to highlight (needles: whole pieces first; fallback: terms).
  function parseQuery(q) {
    var n = normalize(q), sp = spans(n), terms = [], seen = {};
    function add(t, prefix) {
      var k = (prefix ? '*' : '=') + t;
      if (seen[k] || terms.length >= MAX_QUERY_TERMS) return;
      seen[k] = true;
      terms.push({ t: t, prefix: prefix });
    }
    for (var i = 0; i < sp.length; i++) {
      var s = sp[i];
      if (s.cjk) {
        var cps = Array.from(s.text);
        if (cps.length === 1) add(cps[0], false);
        for (var j = 0; j + 1 < cps.length; j++) add(cps[j] + cps[j + 1], false);
      } else {
        var w = wordTerm(s.text);
        var last = i === sp.length - 1 && s.end === n.length;
        add(w, last && Array.from(w).length >= 2);
      }
    }
    var needles = [], fallback = [], have = {};
    function need(list, x) { if (x && !have[x]) { have[x] = true; list.push(x); } }
    var pieces = n.split(/\s+/);
    for (i = 0; i < pieces.length; i++) need(needles, pieces[i].trim());
    for (i = 0; i < sp.length; i++) need(needles, sp[i].text);
    for (i = 0; i < terms.length; i++) if (Array.from(terms[i].t).length > 1) need(fallback, terms[i].t);
    var bylen = function (a, b) { return b.length - a.length; };
    needles.sort(bylen); fallback.sort(bylen);
    return { norm: n, terms: terms, needles: needles, fallback: fallback };
  }

  function decodePostings(s) {
    var ids = [], imps = [], prev = -1, v = 0;
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i), d = c < 128 ? DEC[c] : -1;
      if (d < 0) throw new Error('bad postings');
      if (d >= 32) { v = v * 32 + (d - 32); continue; }
      prev += v * 32 + d + 1; // the stored value is the gap minus one
      v = 0;
      i++;
      ids.push(prev);
      imps.push(DEC[s.charCodeAt(i)]);
    }
    return { ids: ids, imps: imps };
  }

  function parseShard(text) {
    var m = new Map(), lines = text.split('\n');
    for (var i = 0; i < lines.length; i++) {
      var tab = lines[i].indexOf('\t');
      if (tab > 0) m.set(lines[i].slice(0, tab), lines[i].slice(tab + 1));
    }
    return m;
  }

  // Per-loader caches, so a page that searches many times fetches each file
  // once.
  var caches = new WeakMap();
  function cacheFor(load) {
    var c = caches.get(load);
    if (!c) { c = { meta: null, files: new Map() }; caches.set(load, c); }
    return c;
  }
  function getMeta(load) {
    var c = cacheFor(load);
    if (!c.meta) {
      c.meta = Promise.resolve(load('meta.json')).then(function (t) {
        var m = JSON.parse(t);
        if (m.v !== 1) throw new Error('unsupported index version ' + m.v);
        return m;
      });
      c.meta.catch(function () { c.meta = null; });
    }
    return c.meta;
  }
  function getFile(load, meta, path, parse) {
    var c = cacheFor(load);
    var p = c.files.get(path);
    if (!p) {
      p = Promise.resolve(load(path, meta.build)).then(parse);
      c.files.set(path, p);
      p.catch(function () { c.files.delete(path); });
    }
    return p;
  }

  function kindOf(meta, id) {
    var ks = meta.kinds;
    for (var i = 0; i < ks.length; i++) if (id >= ks[i].from && id < ks[i].from + ks[i].n) return ks[i];
    return null;
  }

  function idf(n, df) { return Math.log(1 + (n - df + 0.5) / (df + 0.5)); }

  // lookupTerm returns (a promise of) the encoded postings lists of one
  // query term: its own, or for a prefix term those of every word it starts.
  // Words are keyed by their first two code points; a group of words that
  // grew too large is split by longer prefixes, and the shard of the split
  // prefix holds a line "!prefix<TAB>child child …" (internal/search
  // layout.go). A list "~n" stands for t/n.txt, where a frequent term's
  // postings live alone.
  function lookupTerm(load, meta, term) {
    var t = term.t, tl = Array.from(t).length;
    function shardFor(key) {
      return getFile(load, meta, 'p/' + (fnv1a(key) % meta.shards) + '.txt', parseShard);
    }
    function startingWith(sh, prefix) {
      var out = [];
      sh.forEach(function (e, w) { if (w.charAt(0) !== '!' && w.startsWith(prefix)) out.push(e); });
      return out;
    }
    // every word under the split prefix key, whose shard is sh
    function under(key, sh) {
      var own = sh.get(key), kids = sh.get('!' + key).split(' ');
      return Promise.all(kids.map(function (c) {
        return shardFor(c).then(function (csh) { return csh.has('!' + c) ? under(c, csh) : startingWith(csh, c); });
      })).then(function (lists) {
        return [].concat.apply(own === undefined ? [] : [own], lists);
      });
    }
    function walk(key) {
      return shardFor(key).then(function (sh) {
        var m = sh.get('!' + key), kl = Array.from(key).length;
        if (m === undefined || tl <= kl) {
          if (!term.prefix) { var e = sh.get(t); return e === undefined ? [] : [e]; }
          return m === undefined ? startingWith(sh, t) : under(key, sh);
        }
        var c = Array.from(t).slice(0, kl + 1).join('');
        return m.split(' ').indexOf(c) < 0 ? [] : walk(c);
      });
    }
    return walk(baseKey(t));
  }

  function resolvePostings(load, meta, encs) {
    return Promise.all(encs.map(function (e) {
      return e.charAt(0) === '~' ? getFile(load, meta, 't/' + e.slice(1) + '.txt', String) : e;
    }));
  }

  // termScores returns a Map doc id → score contribution of one query term
  // (the best of its postings lists, for a prefix term).
  function termScores(meta, encs) {
    var out = new Map(), scale = meta.maxImpact / meta.levels;
    encs.forEach(function (enc) {
      var p = decodePostings(enc), w = idf(meta.n, p.ids.length) * scale;
      for (var i = 0; i < p.ids.length; i++) {
        var s = w * p.imps[i], old = out.get(p.ids[i]);
        if (old === undefined || s > old) out.set(p.ids[i], s);
      }
    });
    return out;
  }

  // search runs query against the index that load reads; kind ('' for all)
  // filters by record kind. load(path, version) returns (a promise of) the
  // text of a file under the index directory.
  function search(load, query, kind) {
    return getMeta(load).then(function (meta) {
      var pq = parseQuery(query || '');
      return Promise.all(pq.terms.map(function (t) { return lookupTerm(load, meta, t); })).then(function (encs) {
        // A term found nowhere empties the AND: fetch no more.
        if (encs.some(function (e) { return !e.length; })) return [];
        return Promise.all(encs.map(function (e) { return resolvePostings(load, meta, e); }));
      }).then(function (perTerm) {
        var lists = perTerm.map(function (encs) { return termScores(meta, encs); });
        lists.sort(function (a, b) { return a.size - b.size; });
        var all = [];
        if (lists.length) {
          lists[0].forEach(function (s, id) {
            for (var i = 1; i < lists.length; i++) {
              var o = lists[i].get(id);
              if (o === undefined) return;
              s += o;
            }
            all.push({ id: id, score: s });
          });
        }
        all.sort(function (a, b) { return b.score - a.score || a.id - b.id; });
        var counts = {};
        all.forEach(function (h) {
          var k = kindOf(meta, h.id);
          if (k) counts[k.kind] = (counts[k.kind] || 0) + 1;
        });
        var hits = kind ? all.filter(function (h) { var k = kindOf(meta, h.id); return k && k.kind === kind; }) : all;
        return {
          query: pq.norm,
          terms: pq.terms,
          total: hits.length,
          hits: hits,
          kindCounts: counts,
          kinds: meta.kinds,
          page: function (from, count) { return page(load, meta, pq, hits.slice(from, from + count)); },
          pageHits: function (hs) { return page(load, meta, pq, hs); }
        };
      });
    });
  }

  // searchAll runs query against several indexes — loads[0] the public
  // one, the others restricted indexes the server lets this user read — and
  // merges their hits by score. A restricted index that fails to load (a
  // session that ended) is left out; the public one failing is an error.
  // Results from loads[1…] carry restricted: true.
  function searchAll(loads, query, kind) {
    return Promise.all(loads.map(function (l, i) {
      return search(l, query, kind).then(function (r) { r.restricted = i > 0; return r; }, function (err) {
        if (i === 0) throw err;
        return null;
      });
    })).then(function (rs) {
      rs = rs.filter(Boolean);
      if (rs.length === 1) return rs[0];
      var hits = [], counts = {}, kinds = [], seen = {};
      rs.forEach(function (r) {
        r.hits.forEach(function (h) { hits.push({ id: h.id, score: h.score, res: r, hit: h }); });
        Object.keys(r.kindCounts).forEach(function (k) { counts[k] = (counts[k] || 0) + r.kindCounts[k]; });
        r.kinds.forEach(function (k) { if (!seen[k.kind]) { seen[k.kind] = true; kinds.push(k); } });
      });
      hits.sort(function (a, b) { return b.score - a.score; });
      return {
        query: rs[0].query,
        terms: rs[0].terms,
        total: hits.length,
        hits: hits,
        kindCounts: counts,
        kinds: kinds,
        page: function (from, count) {
          return Promise.all(hits.slice(from, from + count).map(function (x) {
            return x.res.pageHits([x.hit]).then(function (items) {
              items[0].restricted = x.res.restricted;
              return items[0];
            });
          }));
        }
      };
    });
  }

  function page(load, meta, pq, hits) {
    return Promise.all(hits.map(function (h) {
      var k = kindOf(meta, h.id), local = h.id - k.from;
      var g = k.g0 + Math.floor(local / k.per);
      return getFile(load, meta, 'd/' + g + '.json', JSON.parse).then(function (rows) {
        var r = rows[local % k.per];
        return {
          id: h.id, score: h.score, url: r[0], title: r[1], date: r[2], text: r[3],
          kind: k.kind, kindLabel: k.label,
          titleSegs: highlight(r[1], pq, false),
          snippet: highlight(r[3], pq, true)
        };
      });
    }));
  }

  // view maps a text to its normalised form, code point by code point, with
  // the original offsets of every UTF-16 unit of the view.
  function view(text) {
    var v = '', from = [], to = [];
    for (var i = 0; i < text.length;) {
      var cp = text.codePointAt(i), n = cp > 0xFFFF ? 2 : 1;
      var p = lowerEach(text.slice(i, i + n).normalize('NFKC'));
      for (var k = 0; k < p.length; k++) { from.push(i); to.push(i + n); }
      v += p;
      i += n;
    }
    return { v: v, from: from, to: to };
  }

  function findRanges(vw, needles, taken) {
    var out = [];
    for (var i = 0; i < needles.length; i++) {
      var nd = needles[i];
      for (var at = vw.v.indexOf(nd); at >= 0; at = vw.v.indexOf(nd, at + 1)) {
        var a = vw.from[at], b = vw.to[at + nd.length - 1], clash = false;
        for (var j = 0; j < taken.length; j++) if (a < taken[j][1] && taken[j][0] < b) { clash = true; break; }
        if (!clash) { taken.push([a, b]); out.push([a, b]); }
      }
    }
    return out;
  }

  var SNIPPET_BEFORE = 30, SNIPPET_LEN = 140;

  // highlight splits text into [[text, isMatch], …]; with window set it cuts
  // a snippet around the first match of the longest needle.
  function highlight(text, pq, window) {
    text = text || '';
    var vw = view(text), taken = [];
    var ranges = findRanges(vw, pq.needles, taken);
    if (!ranges.length) ranges = findRanges(vw, pq.fallback, taken);
    var start = 0, end = text.length;
    if (window) {
      var first = ranges.length ? ranges[0][0] : 0;
      start = Math.max(0, first - SNIPPET_BEFORE);
      end = Math.min(text.length, start + SNIPPET_LEN);
      if (start > 0 && /[\uDC00-\uDFFF]/.test(text[start])) start++;
      if (end < text.length && /[\uDC00-\uDFFF]/.test(text[end])) end++;
    }
    ranges.sort(function (a, b) { return a[0] - b[0]; });
    var segs = [], pos = start;
    if (start > 0) segs.push(['…', false]);
    for (var i = 0; i < ranges.length; i++) {
      var a = Math.max(ranges[i][0], start), b = Math.min(ranges[i][1], end);
      if (b <= a) continue;
      if (a > pos) segs.push([text.slice(pos, a), false]);
      segs.push([text.slice(a, b), true]);
      pos = b;
    }
    if (pos < end) segs.push([text.slice(pos, end), false]);
    if (end < text.length) segs.push(['…', false]);
    return segs;
  }

  var api = {
    tokenize: tokenize, normalize: normalize, parseQuery: parseQuery, search: search, searchAll: searchAll,
    highlight: highlight, fnv1a: fnv1a, baseKey: baseKey, CJK_RANGES: CJK_RANGES
  };
  if (typeof module === 'object' && module && module.exports) module.exports = api;
  else root.opsbookSearch = api;

  if (typeof document === 'undefined') return;

  // ---- browser UI -------------------------------------------------------

  var PAGE = 10;

  function browserLoader(base) {
    return function (path, version) {
      var u = new URL(path, base);
      if (version) u.searchParams.set('v', version);
      return fetch(u.href, { cache: version ? 'default' : 'no-cache', credentials: 'same-origin' }).then(function (r) {
        if (!r.ok) throw new Error(u.pathname + ': HTTP ' + r.status);
        return r.text();
      });
    };
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function appendSegs(parent, segs) {
    for (var i = 0; i < segs.length; i++) {
      if (segs[i][1]) parent.appendChild(el('mark', '', segs[i][0]));
      else parent.appendChild(document.createTextNode(segs[i][0]));
    }
  }

  function safeHref(url, siteRoot) {
    try {
      var u = new URL(url, siteRoot);
      var r = new URL(siteRoot);
      return u.origin === r.origin && (u.protocol === 'http:' || u.protocol === 'https:' || u.protocol === 'file:') ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  function init() {
    var form = document.getElementById('search-form');
    var input = document.getElementById('search-q');
    var select = document.getElementById('search-kind');
    var status = document.getElementById('search-status');
    var list = document.getElementById('search-results');
    if (!form || !input || !status || !list) return;

    var scriptURL = SCRIPT && SCRIPT.src ? SCRIPT.src : document.baseURI;
    var base = new URL((SCRIPT && SCRIPT.getAttribute('data-index')) || 'index/', scriptURL).href;
    var siteRoot = new URL((SCRIPT && SCRIPT.getAttribute('data-root')) || '../', scriptURL).href;
    var load = browserLoader(base);
    var seq = 0, timer = null, labels = {};
    // The restricted indexes this user may read: opsbook site serve
    // --access answers _access/search.json per user; a static copy of the
    // site has a file there that lists none.
    var accessURL = new URL((SCRIPT && SCRIPT.getAttribute('data-access')) || '_access/search.json', siteRoot).href;
    var loads = fetch(accessURL, { cache: 'no-store', credentials: 'same-origin' }).then(function (r) {
      return r.ok ? r.json() : { indexes: [] };
    }).then(function (j) {
      var out = [load];
      (j && Array.isArray(j.indexes) ? j.indexes : []).forEach(function (p) {
        if (typeof p === 'string' && /^search-restricted\/[A-Za-z0-9][A-Za-z0-9._-]*\/$/.test(p)) {
          out.push(browserLoader(new URL(p, siteRoot).href));
        }
      });
      return out;
    }, function () { return [load]; });

    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    if (!input.placeholder) input.placeholder = '搜索';
    input.setAttribute('autocomplete', 'off');

    var params = new URLSearchParams(location.search);
    input.value = params.get('q') || '';
    var wantKind = params.get('kind') || '';

    function setStatus(text) { status.textContent = text; }

    function fillKinds(meta, counts) {
      if (!select) return;
      var keep = select.value || wantKind;
      while (select.options.length > 1) select.remove(1);
      meta.kinds.forEach(function (k) {
        labels[k.kind] = k.label;
        var n = counts ? counts[k.kind] || 0 : null;
        var o = el('option', '', n === null ? k.label : k.label + '（' + n + '）');
        o.value = k.kind;
        select.appendChild(o);
      });
      select.value = keep;
      if (select.value !== keep) select.value = '';
    }

    function updateURL(q, kind) {
      var p = new URLSearchParams(location.search);
      if (q) p.set('q', q); else p.delete('q');
      if (kind) p.set('kind', kind); else p.delete('kind');
      var s = p.toString();
      history.replaceState(history.state, '', location.pathname + (s ? '?' + s : '') + location.hash);
    }

    function renderItem(r) {
      var li = el('li', 'search-result');
      var href = safeHref(r.url, siteRoot);
      var a = el(href ? 'a' : 'span', 'search-result-link');
      if (href) a.href = href;
      a.appendChild(el('span', 'search-kind', r.kindLabel));
      var t = el('span', 'search-title');
      appendSegs(t, r.titleSegs.length ? r.titleSegs : [[r.url, false]]);
      a.appendChild(t);
      li.appendChild(a);
      if (r.restricted) li.appendChild(el('span', 'search-restricted', '受控'));
      if (r.date) li.appendChild(el('span', 'search-date', r.date));
      var p = el('p', 'search-snippet');
      appendSegs(p, r.snippet);
      li.appendChild(p);
      return li;
    }

    function renderPage(res, from, my) {
      return res.page(from, PAGE).then(function (items) {
        if (my !== seq) return;
        var more = list.querySelector('.search-more');
        if (more) more.remove();
        items.forEach(function (r) { list.appendChild(renderItem(r)); });
        if (from + PAGE < res.total) {
          var li = el('li', 'search-more');
          var btn = el('button', '', '显示更多（还有 ' + (res.total - from - PAGE) + ' 条）');
          btn.type = 'button';
          btn.addEventListener('click', function () {
            var focusAt = from + PAGE;
            btn.disabled = true;
            renderPage(res, focusAt, my).then(function () {
              var links = resultLinks();
              if (links[focusAt]) links[focusAt].focus();
            });
          });
          li.appendChild(btn);
          list.appendChild(li);
        }
      });
    }

    function run() {
      var my = ++seq;
      var q = input.value.trim();
      var kind = select ? select.value : '';
      updateURL(q, kind);
      if (!q) {
        list.textContent = '';
        setStatus('');
        return Promise.resolve();
      }
      setStatus('正在搜索…');
      return loads.then(function (ls) { return searchAll(ls, q, kind); }).then(function (res) {
        if (my !== seq) return;
        fillKinds({ kinds: res.kinds }, res.kindCounts);
        list.textContent = '';
        if (!res.total) {
          var where = kind && labels[kind] ? '（类型：' + labels[kind] + '）' : '';
          setStatus('没有找到与“' + q + '”相关的结果' + where + '。请换个关键词，或选择“全部类型”。');
          return;
        }
        setStatus('共 ' + res.total + ' 条结果');
        return renderPage(res, 0, my);
      }).catch(function (err) {
        if (my !== seq) return;
        setStatus('搜索索引加载失败（' + (err && err.message ? err.message : err) + '），请稍后刷新页面重试。');
      });
    }

    function resultLinks() {
      return Array.prototype.slice.call(list.querySelectorAll('.search-result-link, .search-more button'));
    }

    form.addEventListener('submit', function (e) {
      e.preventDefault();
      clearTimeout(timer);
      run();
    });
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(run, 300);
    });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'ArrowDown') {
        var links = resultLinks();
        if (links.length) { e.preventDefault(); links[0].focus(); }
      }
    });
    if (select) select.addEventListener('change', function () { clearTimeout(timer); run(); });
    list.addEventListener('keydown', function (e) {
      var links = resultLinks(), i = links.indexOf(document.activeElement);
      if (i < 0) return;
      if (e.key === 'ArrowDown' && i + 1 < links.length) { e.preventDefault(); links[i + 1].focus(); }
      else if (e.key === 'ArrowUp') { e.preventDefault(); (i > 0 ? links[i - 1] : input).focus(); }
      else if (e.key === 'Escape') { e.preventDefault(); input.focus(); }
    });

    getMeta(load).then(function (meta) {
      fillKinds(meta, null);
      if (input.value.trim()) run();
    }).catch(function (err) {
      setStatus('搜索索引加载失败（' + (err && err.message ? err.message : err) + '），请稍后刷新页面重试。');
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})(typeof globalThis !== 'undefined' ? globalThis : this);
