// Package changerun executes an approved change: `opsbook change run`.
//
// A change record may carry machine-executable steps in its front matter:
//
//	steps:                       # run in order; the first failure stops
//	  - name: stop-exchange
//	    title: 停止交换服务
//	    type: ssh                # ssh | sql | exec | http
//	    asset: exchange-sys
//	    address: 10.32.1.11:22
//	    user: opsbook
//	    private_key_file: /etc/opsbook/ssh/id_ed25519
//	    known_hosts: /etc/opsbook/ssh/known_hosts
//	    command: sudo systemctl stop exchange
//	    timeout: 2m
//	rollback:                    # each names the step it undoes
//	  - name: start-exchange
//	    undoes: stop-exchange
//	    type: ssh
//	    …
//
// A step is a check of the runbook check library (internal/check) used as
// an action: its parameters are the check type's parameters, secrets are
// ${ENV} / ${file:PATH} references expanded in memory only, and success is
// decided by conditions (default "[EXIT_CODE] == 0" for ssh and exec,
// "[STATUS] < 400" for http, no error for sql; sql steps run their
// statement outside a read-only transaction unless allow_write: false).
// No new SSH, SQL or HTTP client is involved.
//
// Prepare checks every gate and builds a Plan; a gate that says no is a
// *Refusal listing every reason. With Options.CheckRemote (the CLI's
// default; --offline turns it off) it first asks the remote for the main
// line's tip and refuses when the local main line lacks commits of it. The
// main line is the configured main branch (opsbook.yaml main_branch, default
// main); Options.Branch naming any other is refused (RefuseBranch), since a
// merge into another branch approves nothing. The change is read from the main line's
// tip (not from the work tree), so what runs is exactly what was approved:
//
//   - the file's current version on the main line reached it through a
//     merge commit by someone who wrote none of it (gitrepo.AuditTrail:
//     Independent), so a change only on a branch, fast-forwarded, pushed
//     directly, self-merged or edited after its merge is refused;
//   - its status is approved, and no earlier execution of it succeeded;
//   - its steps are valid and every secret they reference is available;
//   - its window avoids business hours on workdays (调休 working weekends
//     are workdays, statutory holidays are not) and every event freeze,
//     unless it is an emergency with a written justification;
//   - now is inside the window.
//
// Plan.Execute first takes the change's lock (a flock on
// .git/opsbook-change-<id>.lock, never through a symbolic link, released
// when the process ends), then re-reads the execution records on the main
// line's tip and in the work tree and, with CheckRemote, asks the remote again: a second run started
// meanwhile from the clone, or one that finished since Prepare here or from
// another clone (it pushed its record), is refused before any step. It then runs the steps in order. When one fails, the rollback steps
// of the steps run so far — the failed one first, then backwards — are run
// in that order; a failing rollback step stops the rollback (someone must
// look). Rollback runs to completion even when the context is cancelled,
// each step under its own timeout. The outcome and every step (command as
// written, target, start/end, exit status, a redacted and capped output
// excerpt) are written as an execution record,
// content/execution/<year>/EXE-<year>-<MMDD>-<HHMMSS>-<change id>.yaml
// (an id taken on the main line or in the work tree gets a -2, -3, …
// suffix), committed on the main line and pushed with gitrepo.Commit. The
// work tree is left as it was: the record is written there first
// (atomically) only when the main line is checked out; with another branch
// checked out only a failed commit puts it there, so that nothing is lost.
// The change file itself is never rewritten: its executed /
// rolled-back state is derived from its execution records.
package changerun
