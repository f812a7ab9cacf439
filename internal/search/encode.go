package search

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// alphabet encodes postings as text: a varint is base-32 digits, most
// significant first, where digits before the last use alphabet[32:] and the
// last uses alphabet[:32]; an impact is one character alphabet[1..63].
const alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_"

// targetShardBytes is the raw size a postings shard aims at when Options
// leaves Shards at zero.
const targetShardBytes = 8 << 10

// heavyBytes is the encoded size above which a term's postings move to a
// file of their own (t/<n>.txt), so a query reads a frequent term's postings
// only when it asks for that term, not whenever its terms share a shard.
const heavyBytes = 4 << 10

// targetGroupBytes is the raw size a docs group aims at: small pages are
// packed together, a long page gets a group of its own.
const targetGroupBytes = 4 << 10

func appendVarint(b []byte, v int) []byte {
	var d [8]byte
	n := 0
	for {
		d[n] = byte(v & 31)
		n++
		v >>= 5
		if v == 0 {
			break
		}
	}
	for i := n - 1; i > 0; i-- {
		b = append(b, alphabet[32+d[i]])
	}
	return append(b, alphabet[d[0]])
}

// encodePostings writes one term's postings: for each page the gap to the
// previous page id minus one, then the impact.
func encodePostings(b []byte, ps []posting) []byte {
	prev := int32(-1)
	for _, p := range ps {
		b = appendVarint(b, int(p.doc-prev-1))
		b = append(b, alphabet[p.impact])
		prev = p.doc
	}
	return b
}

// encodeAll encodes every term's postings; keys are the terms, sorted.
func encodeAll(terms map[string][]posting) (keys []string, enc map[string][]byte) {
	keys = make([]string, 0, len(terms))
	enc = make(map[string][]byte, len(terms))
	for t, ps := range terms {
		keys = append(keys, t)
		enc[t] = encodePostings(nil, ps)
	}
	slices.Sort(keys)
	return keys, enc
}

// chooseShards picks a shard count so a shard holds about targetShardBytes.
func chooseShards(keys []string, enc map[string][]byte) int {
	total := 0
	for _, t := range keys {
		total += lineBytes(t, enc[t])
	}
	return max(1, (total+targetShardBytes-1)/targetShardBytes)
}

// groupFiles encodes the docs table with snippet text, in groups per kind:
// each group is a JSON array of [url, title, date, text]. It sets G0 and
// Per on the kinds.
func groupFiles(docs []Doc, kinds []kindRange) ([][]byte, error) {
	var out [][]byte
	for ki := range kinds {
		k := &kinds[ki]
		rows := make([][4]string, k.N)
		size := 0
		for i := range rows {
			d := docs[k.From+i]
			rows[i] = [4]string{d.URL, d.Title, d.Date, snippetText(d.Text)}
			size += len(d.URL) + len(d.Title) + len(d.Date) + len(rows[i][3]) + 12
		}
		k.G0, k.Per = len(out), 1
		if k.N > 0 {
			k.Per = min(max(1, targetGroupBytes*k.N/max(size, 1)), 256)
		}
		for i := 0; i < k.N; i += k.Per {
			g, err := marshal(rows[i:min(i+k.Per, k.N)])
			if err != nil {
				return nil, err
			}
			out = append(out, g)
		}
	}
	return out, nil
}

// meta is meta.json, the one file every query reads first.
type meta struct {
	Version   int         `json:"v"`
	Build     string      `json:"build"` // content hash; the client adds ?v=build to every other file
	Docs      int         `json:"n"`
	Shards    int         `json:"shards"`
	Groups    int         `json:"groups"`
	MaxImpact float64     `json:"maxImpact"`
	Levels    int         `json:"levels"`
	MaxWord   int         `json:"maxWord"`
	Kinds     []kindRange `json:"kinds"`
}

const formatVersion = 1

func metaFile(b *built, shards, heavy, groups [][]byte) ([]byte, error) {
	h := sha256.New()
	for _, f := range slices.Concat(shards, heavy, groups) {
		fmt.Fprintf(h, "%d\n", len(f))
		h.Write(f)
	}
	kinds, _ := json.Marshal(b.kinds)
	h.Write(kinds)
	return marshal(meta{
		Version:   formatVersion,
		Build:     hex.EncodeToString(h.Sum(nil))[:12],
		Docs:      len(b.docs),
		Shards:    len(shards),
		Groups:    len(groups),
		MaxImpact: maxImpact,
		Levels:    impactLevels,
		MaxWord:   MaxWordRunes,
		Kinds:     b.kinds,
	})
}

// marshal is json.Marshal without HTML escaping (the files are fetched, never
// inlined into a page) and without the trailing newline.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// checkURL rejects anything but a site-relative address.
func checkURL(u string) error {
	switch {
	case u == "":
		return fmt.Errorf("URL 为空")
	case strings.HasPrefix(u, "//") || strings.ContainsAny(u, "\\\n\r\t"):
		return fmt.Errorf("URL %q 不是站内相对地址", u)
	}
	if i := strings.IndexAny(u, ":/?#"); i >= 0 && u[i] == ':' {
		return fmt.Errorf("URL %q 带有协议，只接受站内相对地址（如 change/chg-2026-007/）", u)
	}
	return nil
}
