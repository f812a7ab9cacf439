package search

import (
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// Options tune Write.
type Options struct {
	// Shards is the number of postings shards; zero chooses one from the
	// corpus size (about 8 KB a shard).
	Shards int
	// Gzip measures Stats.GzipBytes: every file compressed once more, only
	// for the figure (benchmarks and size reports want it, builds do not).
	Gzip bool
}

// Stats describe a written index.
type Stats struct {
	Docs, Terms, Shards int
	Bytes               int64 // all files, as written
	GzipBytes           int64 // all files, each gzipped with compress/gzip's default level (with Options.Gzip)
}

// Write builds the index of docs and writes it to dir (the caller passes
// <public>/search/index). It writes into a temporary directory beside dir and
// renames it into place, so readers see the old index or the new one, never
// a half-written one.
func Write(dir string, docs []Doc, o Options) (Stats, error) {
	for i, d := range docs {
		if err := checkURL(d.URL); err != nil {
			return Stats{}, fmt.Errorf("搜索索引：第 %d 个页面（%s）：%w", i+1, d.Title, err)
		}
	}
	if o.Shards < 0 {
		return Stats{}, fmt.Errorf("搜索索引：分片数 %d 不能为负数", o.Shards)
	}
	b := build(docs)
	keys, enc := encodeAll(b.terms)
	shards := o.Shards
	if shards == 0 {
		shards = chooseShards(keys, enc)
	}
	files := map[string][]byte{}
	pf, hf := newLayout(keys, enc, shards).files(keys, enc)
	for i, f := range pf {
		files["p/"+strconv.Itoa(i)+".txt"] = f
	}
	for i, f := range hf {
		files["t/"+strconv.Itoa(i)+".txt"] = f
	}
	gf, err := groupFiles(b.docs, b.kinds)
	if err != nil {
		return Stats{}, fmt.Errorf("搜索索引：%w", err)
	}
	for i, f := range gf {
		files["d/"+strconv.Itoa(i)+".json"] = f
	}
	m, err := metaFile(b, pf, hf, gf)
	if err != nil {
		return Stats{}, fmt.Errorf("搜索索引：%w", err)
	}
	files["meta.json"] = m

	st := Stats{Docs: len(b.docs), Terms: len(b.terms), Shards: shards}
	for _, f := range files {
		st.Bytes += int64(len(f))
	}
	if !o.Gzip {
		return st, writeAtomic(dir, files)
	}
	// Compressing for the statistics overlaps with writing the files.
	gz := make(chan int64, 1)
	go func() { gz <- gzipTotal(files) }()
	err = writeAtomic(dir, files)
	st.GzipBytes = <-gz
	if err != nil {
		return Stats{}, err
	}
	return st, nil
}

// writeAtomic writes files into a fresh directory beside dir, then swaps it
// in.
func writeAtomic(dir string, files map[string][]byte) (err error) {
	parent, base := filepath.Split(filepath.Clean(dir))
	if parent == "" {
		parent = "."
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("搜索索引：无法创建目录 %s：%w", parent, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+base+".tmp-")
	if err != nil {
		return fmt.Errorf("搜索索引：无法在 %s 创建临时目录：%w", parent, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("搜索索引：%w", err)
	}
	for _, sub := range []string{"p", "t", "d"} {
		if err := os.Mkdir(filepath.Join(tmp, sub), 0o755); err != nil {
			return fmt.Errorf("搜索索引：%w", err)
		}
	}
	for name, data := range files {
		if err := writeFile(filepath.Join(tmp, filepath.FromSlash(name)), data, 0o644); err != nil {
			return fmt.Errorf("搜索索引：写入 %s 失败（磁盘满或无权限？）：%w", name, err)
		}
	}
	return swapDir(tmp, dir)
}

// swapDir moves tmp to dir, replacing what dir held.
func swapDir(tmp, dir string) error {
	if _, err := os.Lstat(dir); os.IsNotExist(err) {
		if err := os.Rename(tmp, dir); err != nil {
			return fmt.Errorf("搜索索引：无法把 %s 改名为 %s：%w", tmp, dir, err)
		}
		return nil
	}
	old := tmp + ".old"
	if err := os.Rename(dir, old); err != nil {
		return fmt.Errorf("搜索索引：无法移走旧索引 %s：%w", dir, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		if rerr := os.Rename(old, dir); rerr != nil {
			return fmt.Errorf("搜索索引：新索引就位失败（%v），旧索引也未能恢复，在 %s：%w", err, old, rerr)
		}
		return fmt.Errorf("搜索索引：新索引就位失败，旧索引已恢复：%w", err)
	}
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("搜索索引：新索引已就位，但旧索引 %s 未能删除，请手动删除：%w", old, err)
	}
	return nil
}

// writeFile is os.WriteFile; tests replace it to fail half-way.
var writeFile = os.WriteFile

func gzipSize(b []byte) int64 {
	return gzipTotal(map[string][]byte{"": b})
}

// gzipTotal is the sum of the files' sizes, each gzipped on its own with
// compress/gzip's default level. One writer is reset between files (a new
// one allocates about a megabyte) and only counts what it would write.
func gzipTotal(files map[string][]byte) int64 {
	var n countWriter
	zw := gzip.NewWriter(&n)
	for _, f := range files {
		zw.Reset(&n)
		zw.Write(f)
		zw.Close()
	}
	return int64(n)
}

// countWriter counts the bytes written to it.
type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}
