package cli

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/internal/period"
	"github.com/opsbook/opsbook/internal/publish"
)

// parser adapts a command's parse function to the table below.
func parser[O any](f func(*Env, []string) (*O, error)) func(*Env, []string) (any, error) {
	return func(env *Env, args []string) (any, error) {
		o, err := f(env, args)
		if err != nil {
			return nil, err
		}
		return *o, nil
	}
}

// Every command's flags are parsed (and checked where no repository is
// needed) apart from running it: the options it would run with, or the
// exit code and message a bad command line gets, without touching a
// repository.
func TestParseFlags(t *testing.T) {
	var (
		validate      = parser(parseValidate)
		site          = parser(parseSite)
		run           = parser(parseRun)
		runner        = parser(parseDaemon)
		changeRun     = parser(parseChangeRun)
		changeStatus  = parser(parseChangeStatus)
		due           = parser(parseDue)
		dutyNow       = parser(parseDutyNow)
		accessHash    = parser(parseAccessHash)
		accessCheck   = parser(parseAccessCheck)
		audit         = parser(parseAuditApprovals)
		backup        = parser(parseBackup)
		backupVerify  = parser(parseBackupVerify)
		docsInventory = parser(parseDocsInventory)
		docsHash      = parser(parseDocsHash)
		export        = parser(parseExport)
		gen           = parser(parseGen)
		newRecord     = parser(parseNew)
		publishSite   = parser(parsePublish)
		report        = parser(parseReport)
		statsImport   = parser(parseStatsImport)
	)
	for _, c := range []struct {
		name  string
		parse func(*Env, []string) (any, error)
		args  []string
		want  any    // the options, when the command line is good
		exit  int    // else the exit code
		inErr string // and part of what stderr says
	}{
		{"validate defaults", validate, nil, validateOptions{format: "text"}, 0, ""},
		{"validate flags around paths", validate, []string{"content/a", "--format", "json", "content/b", "--workers=3", "--repo", "/r"},
			validateOptions{repo: "/r", format: "json", paths: []string{"content/a", "content/b"}, workers: 3}, 0, ""},
		{"validate unknown format", validate, []string{"--format", "xml"}, nil, ExitError, "未知输出格式 \"xml\""},
		{"validate unknown flag", validate, []string{"--nope"}, nil, ExitError, "flag provided but not defined: -nope"},
		{"validate help", validate, []string{"-h"}, nil, ExitOK, "用法：opsbook validate"},
		{"validate bad number", validate, []string{"--workers", "many"}, nil, ExitError, "invalid value \"many\""},

		{"site build", site, []string{"build", "--omit-restricted"}, siteOptions{addr: "127.0.0.1:1313", lang: "zh-cn", omit: true, action: "build"}, 0, ""},
		{"site serve", site, []string{"--access", "a.yaml", "serve", "--addr", ":8080"}, siteOptions{addr: ":8080", lang: "zh-cn", access: "a.yaml", action: "serve"}, 0, ""},
		{"site no action", site, nil, nil, ExitError, "用法：opsbook site build|preview|serve"},
		{"site bad action", site, []string{"deploy"}, nil, ExitError, "用法：opsbook site"},
		{"site build with access", site, []string{"build", "--access", "a.yaml"}, nil, ExitError, "--access 只用于 preview 和 serve"},

		{"run", run, []string{"daily", "--push", "weekly", "--runner", "r1"}, runOptions{runnerName: "r1", push: true, runbooks: []string{"daily", "weekly"}}, 0, ""},
		{"run dry", run, []string{"--dry-run", "--no-commit", "daily"}, runOptions{dryRun: true, noCommit: true, runbooks: []string{"daily"}}, 0, ""},
		{"run nothing", run, nil, nil, ExitError, "用法：opsbook run RUNBOOK…"},

		{"runner defaults", runner, nil, daemonOptions{listen: "127.0.0.1:9464", push: true}, 0, ""},
		{"runner flags", runner, []string{"--listen", "", "--push=false", "--runner", "r2"}, daemonOptions{runnerName: "r2"}, 0, ""},

		{"change run", changeRun, []string{"CHG-2026-001", "--yes", "--operator", "王强", "--no-push", "--offline"},
			changeRunOptions{operator: "王强", yes: true, noPush: true, offline: true, id: "CHG-2026-001"}, 0, ""},
		{"change run dry", changeRun, []string{"--dry-run", "CHG-2026-001", "--branch", "main"}, changeRunOptions{branch: "main", dryRun: true, id: "CHG-2026-001"}, 0, ""},
		{"change run two ids", changeRun, []string{"CHG-2026-001", "CHG-2026-002"}, nil, ExitError, "用法：opsbook change run 变更编号"},

		{"change status", changeStatus, []string{"CHG-2026-001", "--now", "2026-11-27 10:00", "CHG-2026-002"},
			changeStatusOptions{format: "text", now: "2026-11-27 10:00", ids: []string{"CHG-2026-001", "CHG-2026-002"}}, 0, ""},
		{"change status bad format", changeStatus, []string{"--format", "csv"}, nil, ExitError, "opsbook change status: 未知格式 \"csv\""},

		{"due defaults", due, nil, dueOptions{format: "text", days: 7}, 0, ""},
		{"due flags", due, []string{"--at", "2026-11-27", "--days", "30", "--format", "json"}, dueOptions{at: "2026-11-27", format: "json", days: 30}, 0, ""},
		{"due extra", due, []string{"today"}, nil, ExitError, "opsbook due: 多余的参数 [\"today\"]"},
		{"due days", due, []string{"--days", "4000"}, nil, ExitError, "--days 4000 应在 0 到 3660 之间"},
		{"due format", due, []string{"--format", "md"}, nil, ExitError, "opsbook due: 未知格式 \"md\""},

		{"duty now", dutyNow, []string{"--at", "2026-11-27 10:00"}, dutyOptions{at: "2026-11-27 10:00", format: "text"}, 0, ""},
		{"duty now unquoted time", dutyNow, []string{"--at", "2026-11-27", "10:00"}, nil, ExitError, "多余的参数 [\"10:00\"]"},

		{"access hash", accessHash, nil, accessHashOptions{}, 0, ""},
		{"access hash password on the command line", accessHash, []string{"secret"}, nil, ExitError, "密码不能写在命令行上"},
		{"access check", accessCheck, []string{"access.yaml", "--site", "out"}, accessCheckOptions{site: "out", file: "access.yaml"}, 0, ""},
		{"access check no file", accessCheck, nil, nil, ExitError, "用法：opsbook access check FILE"},

		{"audit approvals", audit, []string{"--since", "2026-01-01", "--strict", "--format", "github"}, auditApprovalsOptions{since: "2026-01-01", format: "github", strict: true}, 0, ""},
		{"audit approvals extra", audit, []string{"CHG-1"}, nil, ExitError, "opsbook audit approvals: 多余的参数"},
		{"audit approvals format", audit, []string{"--format", "md"}, nil, ExitError, "opsbook audit approvals: 未知格式 \"md\""},

		{"backup", backup, []string{"/backups/", "--repo", "/r"}, backupOptions{repo: "/r", dest: "/backups/"}, 0, ""},
		{"backup no target", backup, nil, nil, ExitError, "opsbook backup: 需要且只需要一个备份目标"},
		{"backup verify", backupVerify, []string{"a.bundle", "--against", "/r"}, backupVerifyOptions{against: "/r", file: "a.bundle"}, 0, ""},
		{"backup verify with repo", backupVerify, []string{"a.bundle", "--repo", "/r"}, nil, ExitError, "校验不读取仓库"},

		{"docs inventory defaults", docsInventory, nil, docsInventoryOptions{format: "md"}, 0, ""},
		{"docs inventory flags", docsInventory, []string{"--format", "csv", "--project", "prj-a", "--output", "x.csv", "--at", "2026-12-05"},
			docsInventoryOptions{format: "csv", project: "prj-a", output: "x.csv", at: "2026-12-05"}, 0, ""},
		{"docs inventory format", docsInventory, []string{"--format", "xlsx"}, nil, ExitError, "未知格式 \"xlsx\"；可选 md、csv 或 json"},
		{"docs hash", docsHash, []string{"DOC-2026-001", "--add"}, docsHashOptions{add: true, ids: []string{"DOC-2026-001"}}, 0, ""},
		{"docs hash all", docsHash, []string{"--all"}, docsHashOptions{all: true}, 0, ""},
		{"docs hash nothing", docsHash, nil, nil, ExitError, "opsbook docs hash: 需要文档编号（例如 DOC-2026-001），或 --all\n用法：opsbook docs hash"},

		{"export defaults", export, nil, exportOptions{format: "json", body: true}, 0, ""},
		{"export flags", export, []string{"--kind", "change", "--since", "2026-01-01", "--format", "csv", "--body=false", "--output", "x.csv"},
			exportOptions{kind: "change", since: "2026-01-01", format: "csv", output: "x.csv"}, 0, ""},
		{"export since", export, []string{"--since", "2026-13-01"}, nil, ExitError, "opsbook export: --since \"2026-13-01\" 应为日期 YYYY-MM-DD"},

		{"gen", gen, []string{"--out", "/tmp/g", "--records", "10", "--seed", "7"}, genOptions{out: "/tmp/g", records: 10, seed: 7}, 0, ""},
		{"gen no out", gen, nil, nil, ExitError, "opsbook gen: 需要 --out DIR"},

		{"new", newRecord, []string{"change", "--title", "升级"}, newOptions{title: "升级", kind: "change"}, 0, ""},
		{"new no kind", newRecord, []string{"--title", "升级"}, nil, ExitError, "用法：opsbook new KIND"},

		{"publish", publishSite, []string{"sftp://deploy@127.0.0.1/srv/www", "--keep", "5", "--allow-restricted"},
			publishOptions{keep: 5, allowRestricted: true, target: "sftp://deploy@127.0.0.1/srv/www"}, 0, ""},
		{"publish defaults", publishSite, []string{"/var/www"}, publishOptions{keep: publish.DefaultKeep, target: "/var/www"}, 0, ""},
		{"publish no target", publishSite, nil, nil, ExitError, "需要且只需要一个发布目标"},

		{"report", report, []string{"month", "--at", "2026-11", "--author", "李娜"}, reportOptions{at: "2026-11", author: "李娜", typ: period.Month}, 0, ""},
		{"report no type", report, nil, nil, ExitError, "opsbook report: 请指定报告类型"},
		{"report bad type", report, []string{"decade"}, nil, ExitError, "opsbook report: "},

		{"stats import", statsImport, []string{"stats.csv", "--period", "2026-11", "--force"}, statsImportOptions{period: "2026-11", force: true, file: "stats.csv"}, 0, ""},
		{"stats import no period", statsImport, []string{"stats.csv"}, nil, ExitError, "opsbook stats import: 缺少 --period"},
		{"stats import bad period", statsImport, []string{"stats.csv", "--period", "November"}, nil, ExitError, "opsbook stats import: --period："},
		{"stats import no file", statsImport, []string{"--period", "2026-11"}, nil, ExitError, "需要且只需要一个文件"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stderr bytes.Buffer
			got, err := c.parse(&Env{Stderr: &stderr, Dir: "/nowhere"}, c.args)
			if c.want != nil {
				if err != nil {
					t.Fatalf("error %v; stderr %s", err, stderr.String())
				}
				if !reflect.DeepEqual(got, c.want) {
					t.Errorf("options\n got %+v\nwant %+v", got, c.want)
				}
				return
			}
			if code := exitCode(&stderr, err); code != c.exit || !strings.Contains(stderr.String(), c.inErr) {
				t.Errorf("exit %d (want %d), stderr:\n%s\nwant it to contain %q", code, c.exit, stderr.String(), c.inErr)
			}
		})
	}
}
