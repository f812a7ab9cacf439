package archive

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Zip record signatures and sizes (APPNOTE.TXT).
const (
	sigLocal        = 0x04034b50
	sigCentral      = 0x02014b50
	sigEnd          = 0x06054b50
	sigEnd64        = 0x06064b50
	sigEnd64Locator = 0x07064b50
	lenEnd          = 22
	lenEnd64Locator = 20
	lenEnd64        = 56
	lenCentral      = 46
	lenLocal        = 30
)

// zipDir is where a zip's central directory is and what it declares.
type zipDir struct {
	records, size, offset int64
}

// findDir reads the end of central directory record (and its zip64
// counterpart).
func findDir(r io.ReaderAt, size int64) (zipDir, error) {
	bad := func(what string) (zipDir, error) {
		return zipDir{}, fmt.Errorf("zip 文件损坏（%s）", what)
	}
	tailLen := min(size, lenEnd+0xffff)
	tail := make([]byte, tailLen)
	if _, err := r.ReadAt(tail, size-tailLen); err != nil && err != io.EOF {
		return zipDir{}, err
	}
	at := -1
	for i := len(tail) - lenEnd; i >= 0; i-- {
		if binary.LittleEndian.Uint32(tail[i:]) == sigEnd {
			if n := int(binary.LittleEndian.Uint16(tail[i+20:])); i+lenEnd+n <= len(tail) {
				at = i
				break
			}
		}
	}
	if at < 0 {
		return bad("没有找到中央目录结尾")
	}
	end := tail[at:]
	d := zipDir{
		records: int64(binary.LittleEndian.Uint16(end[10:])),
		size:    int64(binary.LittleEndian.Uint32(end[12:])),
		offset:  int64(binary.LittleEndian.Uint32(end[16:])),
	}
	endOffset := size - tailLen + int64(at)
	if d.records == 0xffff || d.size == 0xffffffff || d.offset == 0xffffffff {
		if endOffset < lenEnd64Locator {
			return bad("zip64 定位记录缺失")
		}
		loc := make([]byte, lenEnd64Locator)
		if _, err := r.ReadAt(loc, endOffset-lenEnd64Locator); err != nil {
			return zipDir{}, err
		}
		if binary.LittleEndian.Uint32(loc) == sigEnd64Locator {
			off := int64(binary.LittleEndian.Uint64(loc[8:]))
			if off < 0 || off > size-lenEnd64 {
				return bad("zip64 目录位置越界")
			}
			rec := make([]byte, lenEnd64)
			if _, err := r.ReadAt(rec, off); err != nil {
				return zipDir{}, err
			}
			if binary.LittleEndian.Uint32(rec) != sigEnd64 {
				return bad("zip64 目录结尾签名错误")
			}
			d.records = int64(binary.LittleEndian.Uint64(rec[32:]))
			d.size = int64(binary.LittleEndian.Uint64(rec[40:]))
			d.offset = int64(binary.LittleEndian.Uint64(rec[48:]))
		}
	}
	if d.offset < 0 || d.size < 0 || d.records < 0 || d.offset > size || d.size > size-d.offset {
		return bad("中央目录位置越界")
	}
	if d.records > d.size/lenCentral+1 {
		return bad(fmt.Sprintf("声明 %d 个条目，但目录只有 %d 字节", d.records, d.size))
	}
	return d, nil
}

// zipFile is what the central directory says of one member.
type zipFile struct {
	name             string
	flags, method    uint16
	size, compressed int64
	offset           int64
	modified         time.Time
	typ              string
}

func (b *budget) zip(r io.ReaderAt, size int64, depth int) (*Listing, error) {
	d, err := findDir(r, size)
	if err != nil {
		return nil, err
	}
	l := &Listing{Format: "zip", Declared: d.records}
	br := bufio.NewReader(io.NewSectionReader(r, d.offset, d.size))
	hdr := make([]byte, lenCentral)
	for i := int64(0); i < d.records; i++ {
		if b.entries >= b.lim.MaxEntries {
			l.Truncated = true
			l.Problems = append(l.Problems, fmt.Sprintf("条目过多：压缩包声明 %d 个条目，列出的条目已达上限 %d 个，其余未列出（可能是压缩炸弹）", d.records, b.lim.MaxEntries))
			break
		}
		if _, err := io.ReadFull(br, hdr); err != nil {
			l.Problems = append(l.Problems, fmt.Sprintf("中央目录在第 %d 个条目处截断", i+1))
			l.Truncated = true
			break
		}
		if binary.LittleEndian.Uint32(hdr) != sigCentral {
			l.Problems = append(l.Problems, fmt.Sprintf("中央目录第 %d 个条目签名错误，目录损坏", i+1))
			l.Truncated = true
			break
		}
		f, err := readCentral(br, hdr)
		if err != nil {
			l.Problems = append(l.Problems, fmt.Sprintf("中央目录第 %d 个条目损坏：%v", i+1, err))
			l.Truncated = true
			break
		}
		e := Entry{Size: f.size, Compressed: f.compressed, Modified: f.modified, Type: f.typ, Encrypted: f.flags&1 != 0}
		if e.Type == TypeSymlink && f.size <= 4096 && !e.Encrypted {
			if data, err := b.zipData(r, size, f, 4096); err == nil {
				e.Link = string(data)
			}
		}
		if e.Type == TypeDir || e.Type == TypeSymlink {
			e.Compressed = -1 // not judged by ratio
		}
		if !b.add(l, e, f.name) {
			break
		}
		b.nested(l, &l.Entries[len(l.Entries)-1], depth, func(limit int64) ([]byte, error) { return b.zipData(r, size, f, limit) })
	}
	if l.TotalSize >= ratioFloor && float64(l.TotalSize) > b.lim.MaxRatio*float64(size) {
		l.Problems = append(l.Problems, fmt.Sprintf("整体压缩比 %s 超过上限 %g（声明解压后 %s，压缩包 %s），可能是压缩炸弹",
			ratio(l.TotalSize, size), b.lim.MaxRatio, formatSize(l.TotalSize), formatSize(size)))
	}
	return l, nil
}

// readCentral reads the rest of a central directory header whose fixed
// part is hdr.
func readCentral(br *bufio.Reader, hdr []byte) (zipFile, error) {
	le := binary.LittleEndian
	madeBy := le.Uint16(hdr[4:])
	f := zipFile{flags: le.Uint16(hdr[8:]), method: le.Uint16(hdr[10:])}
	dosTime, dosDate := le.Uint16(hdr[12:]), le.Uint16(hdr[14:])
	f.compressed = int64(le.Uint32(hdr[20:]))
	f.size = int64(le.Uint32(hdr[24:]))
	nameLen, extraLen, commentLen := int(le.Uint16(hdr[28:])), int(le.Uint16(hdr[30:])), int(le.Uint16(hdr[32:]))
	external := le.Uint32(hdr[38:])
	f.offset = int64(le.Uint32(hdr[42:]))
	rest := make([]byte, nameLen+extraLen+commentLen)
	if _, err := io.ReadFull(br, rest); err != nil {
		return f, err
	}
	rawName := rest[:nameLen]
	extra := rest[nameLen : nameLen+extraLen]
	f.modified = dosToTime(dosDate, dosTime)
	unicodeName := ""
	for len(extra) >= 4 {
		tag, n := le.Uint16(extra), int(le.Uint16(extra[2:]))
		if 4+n > len(extra) {
			break
		}
		field := extra[4 : 4+n]
		extra = extra[4+n:]
		switch tag {
		case 0x0001: // zip64: the fields that overflowed, in order
			take := func(v *int64) {
				if *v == 0xffffffff && len(field) >= 8 {
					*v = int64(le.Uint64(field))
					field = field[8:]
				}
			}
			take(&f.size)
			take(&f.compressed)
			take(&f.offset)
		case 0x5455: // extended timestamp: modification time first
			if len(field) >= 5 && field[0]&1 != 0 {
				f.modified = time.Unix(int64(int32(le.Uint32(field[1:]))), 0).UTC()
			}
		case 0x7075: // Info-ZIP Unicode path
			if len(field) > 5 && utf8.Valid(field[5:]) {
				unicodeName = string(field[5:])
			}
		}
	}
	switch {
	case unicodeName != "":
		f.name = unicodeName
	case f.flags&0x800 != 0 || utf8.Valid(rawName):
		f.name = string(rawName)
	default:
		if dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(rawName); err == nil {
			f.name = string(dec)
		} else {
			f.name = string(rawName)
		}
	}
	f.typ = TypeFile
	host := madeBy >> 8
	mode := external >> 16
	switch {
	case (host == 3 || host == 19) && mode != 0: // Unix, OS X
		switch mode & 0xf000 {
		case 0xa000:
			f.typ = TypeSymlink
		case 0x4000:
			f.typ = TypeDir
		case 0x2000, 0x6000:
			f.typ = TypeDevice
		case 0x1000:
			f.typ = TypeFIFO
		case 0xc000:
			f.typ = TypeOther
		}
	case external&0x10 != 0: // MS-DOS directory attribute
		f.typ = TypeDir
	}
	if strings.HasSuffix(f.name, "/") && f.typ == TypeFile {
		f.typ = TypeDir
	}
	if f.typ == TypeDir && f.size == 0 {
		f.compressed = -1
	}
	return f, nil
}

func dosToTime(date, tm uint16) time.Time {
	if date == 0 {
		return time.Time{}
	}
	return time.Date(int(date>>9)+1980, time.Month(date>>5&0xf), int(date&0x1f),
		int(tm>>11), int(tm>>5&0x3f), int(tm&0x1f)*2, 0, time.UTC)
}

// zipData reads a member's uncompressed content, at most limit bytes.
func (b *budget) zipData(r io.ReaderAt, size int64, f zipFile, limit int64) ([]byte, error) {
	if f.flags&1 != 0 {
		return nil, fmt.Errorf("已加密")
	}
	if f.offset < 0 || f.offset > size-lenLocal {
		return nil, fmt.Errorf("本地文件头位置越界")
	}
	var local [lenLocal]byte
	if _, err := r.ReadAt(local[:], f.offset); err != nil {
		return nil, err
	}
	if binary.LittleEndian.Uint32(local[:]) != sigLocal {
		return nil, fmt.Errorf("本地文件头签名错误")
	}
	start := f.offset + lenLocal + int64(binary.LittleEndian.Uint16(local[26:])) + int64(binary.LittleEndian.Uint16(local[28:]))
	if start > size || f.compressed > size-start {
		return nil, fmt.Errorf("数据越界")
	}
	raw := io.NewSectionReader(r, start, f.compressed)
	var src io.Reader
	switch f.method {
	case 0:
		src = raw
	case 8:
		fr := flate.NewReader(raw)
		defer fr.Close()
		src = fr
	default:
		return nil, fmt.Errorf("不支持的压缩方法 %d", f.method)
	}
	data, err := readAtMost(src, min(limit, f.size))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) != f.size {
		return nil, fmt.Errorf("解压后 %d 字节，与声明的 %d 字节不符", len(data), f.size)
	}
	return bytes.Clone(data), nil
}
