package gitrepo

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// errIndexFormat means the fast index editor does not handle this index
// (version 4, split or sparse index); the caller falls back to go-git's
// full decoder and encoder.
var errIndexFormat = errors.New("index format not handled by the fast path")

// editIndex returns the index file data with the entries for the given
// paths replaced (a nil entry removes the path). Unchanged entries are
// copied byte for byte: decoding and re-encoding 100,000 entries with
// go-git costs over a second, copying them a few milliseconds. The cached
// tree extension is invalidated along the changed paths, as git does;
// extensions that record file offsets or untracked-file state are dropped
// (git rebuilds them).
func editIndex(data []byte, changes map[string]*index.Entry) ([]byte, error) {
	if len(data) < 12+20 || string(data[:4]) != "DIRC" {
		return nil, errors.New("not a git index file")
	}
	version := binary.BigEndian.Uint32(data[4:8])
	if version != 2 && version != 3 {
		return nil, errIndexFormat
	}
	count := int(binary.BigEndian.Uint32(data[8:12]))
	body := data[:len(data)-20]

	names := make([]string, 0, len(changes))
	for n := range changes {
		names = append(names, n)
	}
	sort.Strings(names)

	out := bytes.NewBuffer(make([]byte, 0, len(data)+len(changes)*160))
	out.Write(data[:12]) // count patched below
	written := 0
	next := 0 // index into names
	emit := func(name string) {
		if e := changes[name]; e != nil {
			writeIndexEntry(out, e)
			written++
		}
	}
	off := 12
	for range count {
		end, name, err := indexEntryEnd(body, off)
		if err != nil {
			return nil, err
		}
		// string(name) in a comparison does not allocate.
		for next < len(names) && names[next] < string(name) {
			emit(names[next])
			next++
		}
		if next < len(names) && names[next] == string(name) {
			// Replaced or removed: every stage of this path is dropped; the
			// new entry is emitted above when the next path comes up.
			off = end
			continue
		}
		out.Write(body[off:end])
		written++
		off = end
	}
	for ; next < len(names); next++ {
		emit(names[next])
	}
	exts, err := editIndexExtensions(body[off:], names)
	if err != nil {
		return nil, err
	}
	out.Write(exts)
	res := out.Bytes()
	binary.BigEndian.PutUint32(res[8:12], uint32(written))
	if bytes.Equal(data[len(data)-20:], make([]byte, 20)) {
		return append(res, make([]byte, 20)...), nil // index.skipHash
	}
	sum := sha1.Sum(res)
	return append(res, sum[:]...), nil
}

// indexEntryEnd parses the entry at off and returns where it ends and its
// path.
func indexEntryEnd(body []byte, off int) (int, []byte, error) {
	const fixed = 62
	if off+fixed > len(body) {
		return 0, nil, errors.New("index truncated")
	}
	flags := binary.BigEndian.Uint16(body[off+60:])
	hdr := fixed
	if flags&0x4000 != 0 {
		hdr += 2
	}
	nameLen := int(flags & 0xfff)
	start := off + hdr
	if nameLen == 0xfff {
		i := bytes.IndexByte(body[start:], 0)
		if i < 0 {
			return 0, nil, errors.New("index entry name not terminated")
		}
		nameLen = i
	}
	end := off + ((hdr + nameLen + 8) &^ 7)
	if end > len(body) || start+nameLen > len(body) {
		return 0, nil, errors.New("index truncated")
	}
	return end, body[start : start+nameLen], nil
}

// writeIndexEntry appends a stage-0 version 2 entry.
func writeIndexEntry(w *bytes.Buffer, e *index.Entry) {
	var b [62]byte
	put := binary.BigEndian.PutUint32
	if !e.CreatedAt.IsZero() {
		put(b[0:], uint32(e.CreatedAt.Unix()))
		put(b[4:], uint32(e.CreatedAt.Nanosecond()))
	}
	if !e.ModifiedAt.IsZero() {
		put(b[8:], uint32(e.ModifiedAt.Unix()))
		put(b[12:], uint32(e.ModifiedAt.Nanosecond()))
	}
	put(b[16:], e.Dev)
	put(b[20:], e.Inode)
	put(b[24:], uint32(e.Mode))
	put(b[28:], e.UID)
	put(b[32:], e.GID)
	put(b[36:], e.Size)
	copy(b[40:60], e.Hash[:])
	n := len(e.Name)
	if n > 0xfff {
		n = 0xfff
	}
	binary.BigEndian.PutUint16(b[60:], uint16(n))
	w.Write(b[:])
	w.WriteString(e.Name)
	pad := ((62 + len(e.Name) + 8) &^ 7) - 62 - len(e.Name)
	w.Write(make([]byte, pad))
}

// editIndexExtensions keeps the extensions that stay valid, invalidating the
// cached tree along the changed paths. A mandatory extension we do not
// know (split index "link", sparse "sdir") stops the fast path.
func editIndexExtensions(ext []byte, paths []string) ([]byte, error) {
	var out bytes.Buffer
	for len(ext) > 0 {
		if len(ext) < 8 {
			return nil, errors.New("index extension truncated")
		}
		sig := string(ext[:4])
		size := int(binary.BigEndian.Uint32(ext[4:8]))
		if 8+size > len(ext) {
			return nil, errors.New("index extension truncated")
		}
		payload := ext[8 : 8+size]
		ext = ext[8+size:]
		switch {
		case sig == "TREE":
			t, rest, err := parseCacheTree(payload)
			if err != nil || len(rest) != 0 {
				continue // unreadable: drop it, git rebuilds it
			}
			for _, p := range paths {
				t.invalidate(p)
			}
			var b bytes.Buffer
			t.write(&b)
			out.WriteString("TREE")
			_ = binary.Write(&out, binary.BigEndian, uint32(b.Len()))
			out.Write(b.Bytes())
		case sig == "REUC":
			out.WriteString(sig)
			_ = binary.Write(&out, binary.BigEndian, uint32(size))
			out.Write(payload)
		case sig[0] >= 'A' && sig[0] <= 'Z':
			// Optional (untracked cache, fsmonitor, offset tables): they
			// describe the old file; git recomputes them.
		default:
			return nil, errIndexFormat
		}
	}
	return out.Bytes(), nil
}

// cacheTree is git's cached-tree index extension: for each directory, how
// many index entries it covers and its tree hash (count -1 = invalid).
type cacheTree struct {
	name  string
	count int
	hash  []byte
	subs  []*cacheTree
}

func parseCacheTree(b []byte) (*cacheTree, []byte, error) {
	i := bytes.IndexByte(b, 0)
	if i < 0 {
		return nil, nil, errors.New("bad cache tree")
	}
	t := &cacheTree{name: string(b[:i])}
	b = b[i+1:]
	j := bytes.IndexByte(b, '\n')
	if j < 0 {
		return nil, nil, errors.New("bad cache tree")
	}
	countStr, subStr, ok := strings.Cut(string(b[:j]), " ")
	if !ok {
		return nil, nil, errors.New("bad cache tree")
	}
	var err error
	if t.count, err = strconv.Atoi(countStr); err != nil {
		return nil, nil, err
	}
	nsub, err := strconv.Atoi(subStr)
	if err != nil || nsub < 0 {
		return nil, nil, fmt.Errorf("bad cache tree subtree count %q", subStr)
	}
	b = b[j+1:]
	if t.count >= 0 {
		if len(b) < 20 {
			return nil, nil, errors.New("bad cache tree")
		}
		t.hash, b = b[:20], b[20:]
	}
	for range nsub {
		var sub *cacheTree
		if sub, b, err = parseCacheTree(b); err != nil {
			return nil, nil, err
		}
		t.subs = append(t.subs, sub)
	}
	return t, b, nil
}

// invalidate marks the directories containing path as changed.
func (t *cacheTree) invalidate(path string) {
	t.count, t.hash = -1, nil
	dir, rest, ok := strings.Cut(path, "/")
	if !ok {
		return
	}
	for _, s := range t.subs {
		if s.name == dir {
			s.invalidate(rest)
			return
		}
	}
}

func (t *cacheTree) write(b *bytes.Buffer) {
	b.WriteString(t.name)
	b.WriteByte(0)
	fmt.Fprintf(b, "%d %d\n", t.count, len(t.subs))
	if t.count >= 0 {
		b.Write(t.hash)
	}
	for _, s := range t.subs {
		s.write(b)
	}
}
