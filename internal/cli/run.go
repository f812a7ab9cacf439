package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/opsbook/opsbook/internal/alert"
	"github.com/opsbook/opsbook/internal/gitrepo"
	"github.com/opsbook/opsbook/internal/runbook"
	"github.com/opsbook/opsbook/internal/runner"
	"github.com/opsbook/opsbook/internal/workspace"
)

func init() {
	register(command{name: "run", summary: "执行运行手册：检查结果写成巡检记录，失败登记异常，提交（并推送）到 git", run: parsed(parseRun)})
}

type runOptions struct {
	repo, runnerName string
	push, dryRun     bool
	noCommit         bool
	runbooks         []string
}

func parseRun(env *Env, args []string) (*runOptions, error) {
	var o runOptions
	fs := flagSet(env, "run", "run RUNBOOK… [--push] [--dry-run] [--no-commit] [--runner NAME]", &o.repo)
	fs.BoolVar(&o.push, "push", false, "提交后推送到远程仓库（失败则保留本地提交，下次运行时推送）")
	fs.BoolVar(&o.dryRun, "dry-run", false, "只执行检查并打印结果，不写记录、不提交")
	fs.BoolVar(&o.noCommit, "no-commit", false, "写入记录文件但不提交")
	fs.StringVar(&o.runnerName, "runner", "", "runner 名称，写入巡检记录编号（默认：主机名）")
	pos, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) == 0 {
		return nil, usage(fs, "")
	}
	o.runbooks = pos
	return &o, nil
}

func (o *runOptions) run(ctx context.Context, env *Env) error {
	rp, err := openRepository(env, o.repo, "opsbook run")
	if err != nil {
		return err
	}
	root := rp.Root
	var rbs []*runbook.Runbook
	for _, name := range o.runbooks {
		rb, vs, err := runner.LoadRunbook(rp, runbookRef(root, env.Dir, name))
		if err != nil {
			return fmt.Errorf("opsbook run: %w", err)
		}
		if len(vs) > 0 {
			for _, v := range vs {
				fmt.Fprintln(env.Stderr, v.String())
			}
			return fmt.Errorf("opsbook run: 运行手册 %s 有错误，未执行", name)
		}
		rbs = append(rbs, rb)
	}
	runner.CleanTemp(root, 0)
	var failed, stopped bool
	for _, rb := range rbs {
		opts := runnerOptions(rp, o.runnerName, !o.noCommit, o.push && !o.noCommit)
		opts.DryRun = o.dryRun
		if len(rb.Alerts) > 0 && !o.dryRun {
			d, err := alert.FromConfig(rb.Alerts, rp.Config.Platform, rp.Config.Location)
			if err != nil {
				return fmt.Errorf("opsbook run: %s 的告警配置：%w", rb.ID, err)
			}
			opts.Alerter = d
		}
		opts.Progress = progressPrinter(env.Stderr, rb)
		rep, err := runner.Run(ctx, rb, opts)
		printReport(env.Stdout, rep)
		if err != nil {
			fmt.Fprintf(env.Stderr, "opsbook run: %s：%v\n", rb.ID, err)
			stopped = true
			continue
		}
		for _, e := range rep.AlertErrors {
			fmt.Fprintf(env.Stderr, "告警发送失败：%v\n", e)
		}
		if rep.PushError != nil {
			fmt.Fprintf(env.Stderr, "opsbook run: 推送失败，提交 %s 已保留在本地，下次运行时推送：%v\n", short(rep.Commit), rep.PushError)
			stopped = true
		} else if rep.Failed() > 0 {
			failed = true
		}
	}
	switch {
	case stopped:
		return errTold
	case failed:
		return errFound
	}
	return nil
}

// runnerOptions is how opsbook run and opsbook runner set up a run of
// rp's runbooks, the one place runner.Options are built: commit asks to
// commit the records when rp is a git work tree; push to push them (which
// commits even outside one, so that mistake is reported).
func runnerOptions(rp *workspace.Workspace, name string, commit, push bool) runner.Options {
	return runner.Options{Root: rp.Root, Runner: name, Location: rp.Config.Location, MaxFileSize: rp.Config.MaxFileSize,
		Commit: commit && isWorkTree(rp.Root), Push: push, GitSSH: gitSSHFromEnv()}
}

// isWorkTree reports whether root is the top of a git work tree.
func isWorkTree(root string) bool {
	_, err := os.Stat(filepath.Join(root, ".git"))
	return err == nil
}

// gitSSHFromEnv reads how to push to an ssh:// remote: OPSBOOK_GIT_SSH_KEY
// (a private key file; default the SSH agent), OPSBOOK_GIT_SSH_PASSPHRASE,
// and SSH_KNOWN_HOSTS (default ~/.ssh/known_hosts).
func gitSSHFromEnv() gitrepo.SSHOptions {
	o := gitrepo.SSHOptions{KeyFile: os.Getenv("OPSBOOK_GIT_SSH_KEY"), KeyPassphrase: os.Getenv("OPSBOOK_GIT_SSH_PASSPHRASE")}
	if kh := os.Getenv("SSH_KNOWN_HOSTS"); kh != "" {
		o.KnownHosts = filepath.SplitList(kh)
	}
	return o
}

// runbookRef turns a command-line runbook (id or path) into what
// LoadRunbook takes: an id, or a repository-relative path.
func runbookRef(root, dir, name string) string {
	if !strings.ContainsAny(name, "/.") {
		return name
	}
	abs := name
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(dir, name)
	}
	if rel, err := filepath.Rel(root, abs); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return name
}

func short(hash string) string { return hash[:min(len(hash), 10)] }

// progressPrinter shows a live line on a terminal and nothing otherwise
// (the report after the run is the plain summary).
func progressPrinter(w io.Writer, rb *runbook.Runbook) func(done, total int, r runner.Result) {
	if !isTerminal(w) {
		return nil
	}
	var mu sync.Mutex
	return func(done, total int, r runner.Result) {
		mu.Lock()
		defer mu.Unlock()
		mark := "✓"
		if !r.Success {
			mark = "✗"
		}
		fmt.Fprintf(w, "\r\033[K%s [%d/%d] %s %s", rb.Title, done, total, mark, r.Check.Label())
		if done == total {
			fmt.Fprint(w, "\r\033[K")
		}
	}
}

func printReport(w io.Writer, rep *runner.Report) {
	if rep == nil {
		return
	}
	total := len(rep.Results)
	fmt.Fprintf(w, "%s（%s）：%d/%d 通过，用时 %s\n", rep.Runbook.Title, rep.Runbook.ID, total-rep.Failed(), total, rep.End.Sub(rep.Started).Round(1e6))
	for _, r := range rep.Results {
		if r.Success {
			continue
		}
		sec := ""
		if r.Security {
			sec = "【安全】"
		}
		fmt.Fprintf(w, "  ✗ %s%s（%s）：%s\n", sec, r.Check.Label(), r.Check.Name, r.Message())
	}
	if rep.Inspection != "" {
		fmt.Fprintf(w, "巡检记录：%s\n", rep.Inspection)
	}
	for _, id := range rep.NewAnomalies {
		fmt.Fprintf(w, "新异常：%s\n", id)
	}
	for _, id := range rep.Recovered {
		fmt.Fprintf(w, "已恢复：%s\n", id)
	}
	if rep.Commit != "" {
		state := "已提交"
		if rep.Pushed {
			state = "已提交并推送"
		}
		fmt.Fprintf(w, "%s：%s\n", state, short(rep.Commit))
	}
}
