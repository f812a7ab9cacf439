// Command sample-attachments writes the attachments of the sample document
// records (content/document/2026/DOC-2026-00N/…): small but real .docx,
// .xlsx (excelize), .pdf, .png and .zip files, byte for byte the same on
// every run (fixed timestamps, no randomness), so the committed files can be
// checked against their generator.
//
//	go run ./.ci/sample-attachments           # write the files
//	go run ./.ci/sample-attachments -check    # exit 1 if a committed file differs
//	opsbook docs hash --all                   # then record sha256/size in the records
package main

import (
	"archive/zip"
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// stamp is the modification time written into every archive member.
var stamp = time.Date(2026, 11, 20, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

type file struct {
	path string // under content/document/2026/
	data func() ([]byte, error)
}

func files() []file {
	return []file{
		{"DOC-2026-001/运维服务合同-签章版.pdf", func() ([]byte, error) {
			return pdf("南通市政务数据共享交换平台运维服务合同", "NTSJ-YW-2026-018 (signed copy)", []string{
				"合同编号：NTSJ-YW-2026-018",
				"服务期限：2026-03-01 至 2027-02-28",
				"驻场人员：不少于 2 名",
				"签章版扫描件（样例）",
			}, "D:20260226100000+08'00'")
		}},
		{"DOC-2026-002/运维服务实施方案-v1.2.docx", func() ([]byte, error) {
			return docx("运维服务实施方案", "周明", []string{
				"版本 1.2，2026 年 3 月 10 日。",
				"一、项目概述与服务范围：南通市政务数据共享交换平台一年期运维服务。",
				"二、组织与人员：驻场工程师张伟、李娜；数据库工程师王强；安全工程师赵磊；项目经理周明。",
				"三、日常巡检：自动巡检手册加人工复核，每日 08:30 前完成。",
				"四、变更管理：变更方案、应急预案、回退方案齐备，非业务时间实施。",
			})
		}},
		{"DOC-2026-003/驻场运维手册-v2.3.docx", func() ([]byte, error) {
			return docx("驻场运维手册（平台架构、账号与日常操作）", "张伟", []string{
				"版本 2.3，2026 年 11 月 9 日。",
				"应用服务器 1 的 TongWeb 改为 systemd 管理（CHG-2026-008）。",
				"交换系统升级至 V3.2.3 后新增 BATCH 调度通道组。",
				"账号口令不写入手册，统一在堡垒机和密码信封中管理。",
			})
		}},
		{"DOC-2026-003/平台部署架构图.png", architecturePNG},
		{"DOC-2026-004/中期检查报告.pdf", func() ([]byte, error) {
			return pdf("运维服务中期检查报告（2026 年 3—8 月）", "Mid-term review 2026-03..08", []string{
				"平台可用率 99.96%，累计处理工单 214 件，平均响应 6 分钟。",
				"等保三级测评发现问题 11 项，已整改 7 项。",
				"用户方意见：增加培训频次，加强节假日备份核验。",
			}, "D:20260915090000+08'00'")
		}},
		{"DOC-2026-004/中期检查统计表.xlsx", func() ([]byte, error) {
			return xlsx("中期检查统计", []string{"月份", "可用率（%）", "工单数", "平均响应（分钟）"}, [][]any{
				{"2026-03", 99.95, 31, 7}, {"2026-04", 99.97, 36, 6}, {"2026-05", 99.93, 40, 6},
				{"2026-06", 99.98, 35, 5}, {"2026-07", 99.96, 38, 6}, {"2026-08", 99.97, 34, 6},
			})
		}},
		{"DOC-2026-005/详细设计说明书-v1.1.docx", func() ([]byte, error) {
			return docx("共享交换平台升级改造详细设计说明书", "李娜", []string{
				"版本 1.1，2026 年 8 月 18 日；8 月 20 日专家评审通过。",
				"交换系统 V3.2.1 → V3.2.3：大批量任务分片，SM4 传输加密，断点续传幂等。",
				"目录：新表结构 catalog_v2，新旧并行 30 天。",
				"苏政源：对接服务汇聚目录元数据、资源使用统计和运维资源，SM2 签名。",
			})
		}},
		{"DOC-2026-006/苏政源对接接口规范-南通实施细则.pdf", func() ([]byte, error) {
			return pdf("“苏政源”资源库对接接口规范（南通市实施细则）", "SuZhengYuan interface spec, Nantong", []string{
				"/api/v1/catalog/push  市 → 省  目录元数据增量汇聚",
				"/api/v1/ops/push  市 → 省  运维资源汇聚（版本化 JSON）",
				"/api/v1/stats/push  市 → 省  资源使用统计月度汇聚",
				"签名：国密 SM2；传输：HTTPS 双向认证。",
			}, "D:20260728150000+08'00'")
		}},
		{"DOC-2026-006/接口样例报文.zip", func() ([]byte, error) {
			return zipOf([][2]string{
				{"样例报文/README.txt", "苏政源对接接口样例报文（南通市实施细则附件），字段说明见规范第 4 章。\n"},
				{"样例报文/catalog-push-request.json", "{\n  \"region\": \"320600\",\n  \"batch\": \"20261120-001\",\n  \"items\": [{\"code\": \"320600-DSJ-0001\", \"name\": \"法人基础信息\", \"share_type\": \"有条件共享\"}]\n}\n"},
				{"样例报文/ops-push-request.json", "{\n  \"version\": \"opsbook.export/v1\",\n  \"platform\": \"南通市政务数据共享交换平台\",\n  \"records\": []\n}\n"},
			})
		}},
		{"DOC-2026-007/目录数据迁移方案-v1.3.docx", func() ([]byte, error) {
			return docx("目录元数据迁移方案及校验规则", "王强", []string{
				"版本 1.3，2026 年 10 月 30 日。",
				"迁移范围：信息资源 11,842 条、信息项 186,530 条、共享申请与订阅关系 23,417 条。",
				"校验规则：总条数一致；按 18 个部门分组条数一致；关键字段逐行 md5 一致。",
			})
		}},
		{"DOC-2026-007/迁移校验脚本.zip", func() ([]byte, error) {
			return zipOf([][2]string{
				{"迁移校验/01-总条数.sql", "SELECT 'resource' AS t, count(*) FROM catalog.resource\nUNION ALL SELECT 'item', count(*) FROM catalog.item;\n"},
				{"迁移校验/02-部门分组.sql", "SELECT dept_code, count(*) FROM catalog_v2.resource GROUP BY dept_code ORDER BY dept_code;\n"},
				{"迁移校验/03-逐行md5.sql", "SELECT code, md5(concat_ws('|', code, name, provider, share_type)) FROM catalog_v2.resource ORDER BY code;\n"},
				{"迁移校验/README.md", "# 迁移校验脚本\n\n按编号顺序在源库和目标库各执行一次，结果以 opsbook 巡检手册 sql compare 方式比对。\n"},
			})
		}},
		{"DOC-2026-007/迁移校验结果.xlsx", func() ([]byte, error) {
			return xlsx("校验结果", []string{"校验项", "源库", "目标库", "结论"}, [][]any{
				{"信息资源条数", 11842, 11842, "一致"}, {"信息项条数", 186530, 186530, "一致"},
				{"订阅关系条数", 23417, 23417, "一致"}, {"逐行 md5 不一致", 0, 0, "一致"},
			})
		}},
		{"DOC-2026-008/第一阶段评审会议纪要.pdf", func() ([]byte, error) {
			return pdf("升级改造第一阶段方案评审会议纪要", "Phase 1 review minutes, 2026-09-10", []string{
				"时间：2026 年 9 月 10 日 14:30；地点：市大数据管理局 5 楼会议室。",
				"交换系统 V3.2.3 升级安排在国庆假期 10 月 2 日上午实施。",
				"目录数据迁移须先出迁移方案和校验规则，经评审后实施。",
			}, "D:20260910170000+08'00'")
		}},
	}
}

func main() {
	check := flag.Bool("check", false, "compare with the committed files instead of writing them")
	root := flag.String("root", ".", "repository root")
	flag.Parse()
	dir := filepath.Join(*root, "content", "document", "2026")
	differ := 0
	for _, f := range files() {
		data, err := f.data()
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", f.path, err)
			os.Exit(2)
		}
		p := filepath.Join(dir, filepath.FromSlash(f.path))
		if *check {
			old, err := os.ReadFile(p)
			if err != nil || !bytes.Equal(old, data) {
				fmt.Printf("不一致：%s\n", p)
				differ++
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Printf("%6d  %s\n", len(data), p)
	}
	if differ > 0 {
		os.Exit(1)
	}
}

// zipOf writes a zip with fixed timestamps, members in the given order.
func zipOf(members [][2]string) ([]byte, error) {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, m := range members {
		fw, err := w.CreateHeader(&zip.FileHeader{Name: m[0], Method: zip.Deflate, Modified: stamp})
		if err != nil {
			return nil, err
		}
		if _, err := io.WriteString(fw, m[1]); err != nil {
			return nil, err
		}
	}
	err := w.Close()
	return buf.Bytes(), err
}

// docx writes a minimal WordprocessingML document: a bold title and
// paragraphs in 宋体.
func docx(title, author string, paras []string) ([]byte, error) {
	run := func(text string, bold bool, size int) string {
		props := `<w:rFonts w:ascii="Times New Roman" w:eastAsia="宋体" w:hAnsi="Times New Roman"/>`
		if bold {
			props += "<w:b/>"
		}
		props += fmt.Sprintf(`<w:sz w:val="%d"/>`, size)
		return `<w:r><w:rPr>` + props + `</w:rPr><w:t xml:space="preserve">` + html.EscapeString(text) + `</w:t></w:r>`
	}
	var body strings.Builder
	body.WriteString(`<w:p><w:pPr><w:jc w:val="center"/></w:pPr>` + run(title, true, 36) + `</w:p>`)
	for _, p := range paras {
		body.WriteString(`<w:p>` + run(p, false, 24) + `</w:p>`)
	}
	created := stamp.UTC().Format(time.RFC3339)
	return zipOf([][2]string{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
			`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
			`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`},
		{"docProps/core.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
			`<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>` +
			html.EscapeString(title) + `</dc:title><dc:creator>` + html.EscapeString(author) + `</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">` + created + `</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">` + created + `</dcterms:modified></cp:coreProperties>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
			`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() +
			`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1800" w:bottom="1440" w:left="1800" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>`},
	})
}

// xlsx writes one sheet with a bold header row through excelize, then
// re-packs the zip with fixed timestamps.
func xlsx(sheet string, header []string, rows [][]any) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	created := stamp.UTC().Format(time.RFC3339)
	if err := f.SetDocProps(&excelize.DocProperties{Created: created, Modified: created, Creator: "opsbook 样例", LastModifiedBy: "opsbook 样例", Title: sheet, Language: "zh-CN"}); err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	for i, h := range header {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		f.SetCellValue(sheet, cell, h)
		f.SetCellStyle(sheet, cell, cell, bold)
	}
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+2)
			f.SetCellValue(sheet, cell, v)
		}
	}
	f.SetColWidth(sheet, "A", "D", 16)
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return repack(buf.Bytes())
}

// repack rewrites a zip with its members sorted ([Content_Types].xml
// first) and fixed timestamps.
func repack(data []byte) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	var members [][2]string
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		members = append(members, [2]string{f.Name, string(b)})
	}
	slices.SortFunc(members, func(a, b [2]string) int {
		if (a[0] == "[Content_Types].xml") != (b[0] == "[Content_Types].xml") {
			if a[0] == "[Content_Types].xml" {
				return -1
			}
			return 1
		}
		return strings.Compare(a[0], b[0])
	})
	return zipOf(members)
}

// pdf writes a one-page A4 PDF: a Chinese title and lines in STSong-Light
// (a standard CJK font PDF readers supply, not embedded), and a Latin
// subtitle in Helvetica.
func pdf(title, latin string, lines []string, date string) ([]byte, error) {
	cjk := func(s string) string {
		var b strings.Builder
		b.WriteByte('<')
		for _, u := range utf16.Encode([]rune(s)) {
			fmt.Fprintf(&b, "%04X", u)
		}
		b.WriteByte('>')
		return b.String()
	}
	var content strings.Builder
	fmt.Fprintf(&content, "BT /F2 18 Tf 72 760 Td %s Tj ET\n", cjk(title))
	fmt.Fprintf(&content, "BT /F1 11 Tf 72 736 Td (%s) Tj ET\n", strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(latin))
	y := 700
	for _, l := range lines {
		fmt.Fprintf(&content, "BT /F2 12 Tf 72 %d Td %s Tj ET\n", y, cjk(l))
		y -= 24
	}
	fmt.Fprintf(&content, "0.6 G 72 %d m 523 %d l S\n", y+8, y+8)
	info := "<FEFF" + strings.TrimSuffix(strings.TrimPrefix(cjk(title), "<"), ">") + ">"
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [7 0 R] >>",
		"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 8 0 R /DW 1000 /W [1 95 500] >>",
		"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
		fmt.Sprintf("<< /Title %s /Producer (opsbook sample-attachments) /CreationDate (%s) /ModDate (%s) >>", info, date, date),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	id := hex.EncodeToString([]byte(title))[:32]
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, len(objects), id, id, xref)
	return b.Bytes(), nil
}

// architecturePNG draws the platform's deployment as boxes and links:
// front-end processors on the left, exchange and catalog in the middle,
// databases on the right (no text: the record's body names them).
func architecturePNG() ([]byte, error) {
	palette := color.Palette{
		color.RGBA{0xff, 0xff, 0xff, 0xff}, // background
		color.RGBA{0x1f, 0x4e, 0x79, 0xff}, // application
		color.RGBA{0x2e, 0x7d, 0x32, 0xff}, // database
		color.RGBA{0xef, 0x6c, 0x00, 0xff}, // front-end processors
		color.RGBA{0x90, 0x90, 0x90, 0xff}, // links
		color.RGBA{0xe3, 0xec, 0xf5, 0xff}, // zone
	}
	img := image.NewPaletted(image.Rect(0, 0, 640, 360), palette)
	fill := func(x0, y0, x1, y1 int, c uint8) {
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				img.SetColorIndex(x, y, c)
			}
		}
	}
	fill(150, 20, 490, 340, 5) // the government extranet zone
	for i := range 4 {         // front-end processors
		fill(20, 40+i*75, 110, 90+i*75, 3)
	}
	fill(200, 60, 320, 140, 1)  // exchange
	fill(200, 220, 320, 300, 1) // catalog and portal
	fill(360, 140, 460, 220, 1) // API gateway
	fill(530, 60, 620, 140, 2)  // exchange-db
	fill(530, 220, 620, 300, 2) // catalog-db
	link := func(x0, y0, x1, y1 int) {
		for x := min(x0, x1); x <= max(x0, x1); x++ {
			img.SetColorIndex(x, y0, 4)
			img.SetColorIndex(x, y0+1, 4)
		}
		for y := min(y0, y1); y <= max(y0, y1); y++ {
			img.SetColorIndex(x1, y, 4)
			img.SetColorIndex(x1+1, y, 4)
		}
	}
	for i := range 4 {
		link(110, 65+i*75, 200, 100)
	}
	link(320, 100, 530, 100)
	link(320, 260, 530, 260)
	link(320, 180, 360, 180)
	link(260, 140, 260, 220)
	var buf bytes.Buffer
	err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img)
	return buf.Bytes(), err
}
