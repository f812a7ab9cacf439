package archive

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
)

// tar lists a tar stream. g, when set, is the decompression budget of a
// tar.gz: reaching it stops the listing.
func (b *budget) tar(r io.Reader, size int64, depth int, format string, g *gzipBudget) (*Listing, error) {
	l := &Listing{Format: format}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			l.Truncated = true
			switch {
			case g != nil && errors.Is(err, errBudget) || g != nil && g.hit != "":
				if g.hit == "ratio" {
					l.Problems = append(l.Problems, fmt.Sprintf("解压数据超过压缩包大小的 %g 倍（已解压 %s），停止读取：可能是压缩炸弹", b.lim.MaxRatio, formatSize(g.n)))
				} else {
					l.Problems = append(l.Problems, fmt.Sprintf("解压数据超过上限 %s，停止读取：可能是压缩炸弹", formatSize(b.lim.MaxTotalSize)))
				}
			case len(l.Entries) == 0 && l.Declared == 0:
				return nil, fmt.Errorf("tar 归档损坏：%v", err)
			default:
				l.Problems = append(l.Problems, fmt.Sprintf("归档在第 %d 个条目后损坏：%v", l.Declared, err))
			}
			break
		}
		if h.Typeflag == tar.TypeXGlobalHeader {
			continue
		}
		l.Declared++
		if b.entries >= b.lim.MaxEntries {
			l.Truncated = true
			l.Problems = append(l.Problems, fmt.Sprintf("条目过多：列出的条目已达上限 %d 个，其余未列出（可能是压缩炸弹）", b.lim.MaxEntries))
			break
		}
		e := Entry{Size: h.Size, Compressed: -1, Modified: h.ModTime.UTC(), Link: h.Linkname}
		switch h.Typeflag {
		case tar.TypeReg, tar.TypeGNUSparse, tar.TypeCont:
			e.Type = TypeFile
		case tar.TypeDir:
			e.Type = TypeDir
		case tar.TypeSymlink:
			e.Type = TypeSymlink
		case tar.TypeLink:
			e.Type = TypeHardlink
		case tar.TypeChar, tar.TypeBlock:
			e.Type = TypeDevice
		case tar.TypeFifo:
			e.Type = TypeFIFO
		default:
			e.Type = TypeOther
		}
		if e.Type != TypeFile && e.Type != TypeOther {
			e.Size = max(e.Size, 0)
		}
		b.add(l, e, h.Name)
		b.nested(l, &l.Entries[len(l.Entries)-1], depth, func(limit int64) ([]byte, error) { return readAtMost(tr, limit) })
	}
	if g != nil && g.n >= ratioFloor && float64(g.n) > b.lim.MaxRatio*float64(size) && g.hit == "" {
		l.Problems = append(l.Problems, fmt.Sprintf("整体压缩比 %s 超过上限 %g，可能是压缩炸弹", ratio(g.n, size), b.lim.MaxRatio))
	}
	return l, nil
}
