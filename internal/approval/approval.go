package approval

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/opsbook/opsbook/internal/gitrepo"
	"github.com/opsbook/opsbook/internal/kind"
	"github.com/opsbook/opsbook/internal/layout"
	"github.com/opsbook/opsbook/internal/record"
	"github.com/opsbook/opsbook/internal/signers"
)

// Directories read.
const (
	ChangeDir    = layout.ContentDir + "/change/"
	ExecutionDir = layout.ContentDir + "/execution/"
)

// State is a change's place in its lifecycle.
type State string

// States, in lifecycle order.
const (
	StateDraft      State = "draft"       // not on the main line: on a branch, or uncommitted
	StateUnapproved State = "unapproved"  // on the main line without another person's merge
	StateApproved   State = "approved"    // merged into the main line by someone who did not write it
	StateExecuted   State = "executed"    // an execution record references it
	StateClosed     State = "closed"      // status done or cancelled
	StateRolledBack State = "rolled-back" // status rolled-back
)

var stateLabels = map[State]string{
	StateDraft: "草稿", StateUnapproved: "未经审批", StateApproved: "已批准",
	StateExecuted: "已执行", StateClosed: "已关闭", StateRolledBack: "已回退",
}

// Label is the state's Chinese name.
func (s State) Label() string { return stateLabels[s] }

// Window phases relative to now.
const (
	PhaseBefore = "before"
	PhaseInside = "inside"
	PhaseAfter  = "after"
)

// Window is a change's implementation window.
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Phase is where now is: before, inside or after the window.
	Phase  string `json:"phase"`
	Inside bool   `json:"inside"`
}

// Merge is a merge commit on the main line that brought a version of the
// change.
type Merge struct {
	Commit string    `json:"commit"`
	By     string    `json:"by"` // the merger (committer, or author of a platform's web merge)
	At     time.Time `json:"at"`
	// Via is the hosting platform that committed the merge for By ("GitHub").
	Via string `json:"via,omitempty"`
	// Strength is what By rests on: verified (a listed reviewer's
	// signature), platform (a trusted platform's signature) or committer
	// (the committer name only: the repository lists no signers); "" when
	// the merge's signature does not count.
	Strength      signers.Strength `json:"strength,omitempty"`
	StrengthLabel string           `json:"strength_label,omitempty"`
	// Key is the signing key (SSH fingerprint or OpenPGP key id).
	Key string `json:"key,omitempty"`
	// Authors wrote the merged version of the change.
	Authors []string     `json:"authors"`
	Subject string       `json:"subject"`
	Message MergeMessage `json:"message"`
	// Current is true when this merge brought the version on the main line
	// now; false when the change was committed directly after it.
	Current bool `json:"current"`
}

// Commit is a commit that wrote the change's current version.
type Commit struct {
	Commit string    `json:"commit"`
	By     string    `json:"by"` // author
	At     time.Time `json:"at"` // author time
}

// Execution is an execution record (written by opsbook change run)
// referencing a change.
type Execution struct {
	ID      string `json:"id"`
	Path    string `json:"path"`
	Outcome string `json:"outcome,omitempty"` // success, rolled-back, rollback-failed, failed
}

var outcomeLabels = map[string]string{"success": "成功", "rolled-back": "已回退", "rollback-failed": "回退失败", "failed": "失败"}

// Finding levels.
const (
	LevelError   = "error"   // a violation: fails the audit in strict mode
	LevelWarning = "warning" // worth a look; never fails the audit
)

// Rule ids of findings.
const (
	RuleSelfApproval        = "approval/self-approval"
	RuleNoMerge             = "approval/no-merge"
	RuleEditedAfterApproval = "approval/edited-after-approval"
	RuleNotListedReviewer   = "approval/not-listed-reviewer"
	RuleUnsigned            = "approval/unsigned"
	RuleBadSignature        = "approval/bad-signature"
	RuleSignersUnapproved   = gitrepo.RuleSignersUnapproved
	RuleSignersInvalid      = gitrepo.RuleSignersInvalid
)

// Finding is one problem with a change's approval evidence.
type Finding struct {
	Rule    string `json:"rule"`
	Level   string `json:"level"`
	Short   string `json:"short"`   // a few words, for tables
	Message string `json:"message"` // Chinese, says what happened and what to do
	Commit  string `json:"commit,omitempty"`
}

// Change is one change record with its lifecycle and approval evidence.
type Change struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Path        string   `json:"path"`
	Status      string   `json:"status"` // the record's status field
	State       State    `json:"state"`
	StateLabel  string   `json:"state_label"`
	Requester   string   `json:"requester,omitempty"`
	Implementer string   `json:"implementer,omitempty"`
	Reviewers   []string `json:"reviewers,omitempty"`
	Window      *Window  `json:"window,omitempty"`
	// OnMain: the record exists on the main line. Drafts list the
	// branches holding them instead ("" = the work tree, uncommitted).
	OnMain   bool     `json:"on_main"`
	Branches []string `json:"branches,omitempty"`
	// Approved: the version on the main line was merged by someone who
	// wrote none of it; ApprovedBy/At name that merge.
	Approved   bool       `json:"approved"`
	ApprovedBy string     `json:"approved_by,omitempty"`
	ApprovedAt *time.Time `json:"approved_at,omitempty"`
	// Strength is the approving merge's strength (see Merge.Strength).
	Strength signers.Strength `json:"strength,omitempty"`
	// Verdict is how the current version reached the main line.
	Verdict gitrepo.Verdict `json:"verdict,omitempty"`
	// Merge is the latest merge that brought the change to the main line;
	// Merges lists every one of the record's current lifetime, oldest first.
	Merge  *Merge  `json:"merge,omitempty"`
	Merges []Merge `json:"merges,omitempty"`
	// Latest is the commit that wrote the version on the main line.
	Latest *Commit `json:"latest,omitempty"`
	// ReachedMain is when the current version arrived on the main line.
	ReachedMain *time.Time  `json:"reached_main,omitempty"`
	Executions  []Execution `json:"executions,omitempty"`
	Findings    []Finding   `json:"findings,omitempty"`
}

// Violations counts the change's error-level findings.
func (c *Change) Violations() int {
	n := 0
	for _, f := range c.Findings {
		if f.Level == LevelError {
			n++
		}
	}
	return n
}

// Options says what Load reads.
type Options struct {
	Root string
	// Branch is the main line ("" = main; falls back to origin/<branch>).
	Branch string
	// Location interprets windows and prints times (nil = Asia/Shanghai).
	Location *time.Location
	// Now places windows (zero = time.Now()).
	Now time.Time
	// MaxFileSize caps record files (0 = record.DefaultMaxSize).
	MaxFileSize int64
}

// Report is every change record of a repository with its evidence.
type Report struct {
	Branch   string    `json:"branch"` // the revision read as the main line
	Now      time.Time `json:"now"`
	Changes  []*Change `json:"changes"`
	Problems []string  `json:"problems,omitempty"` // records that could not be read
	// Signed: reviewers' keys (.opsbook/allowed_signers) are in force on
	// the main line, so only signed merges approve.
	Signed bool `json:"signed"`
	// KeyChanges lists the main-line commits that changed the key lists;
	// KeyFindings the findings about them (a change not approved by
	// another existing signer, a list that does not parse).
	KeyChanges  []gitrepo.KeyChange `json:"key_changes,omitempty"`
	KeyFindings []Finding           `json:"key_findings,omitempty"`
	loc         *time.Location
}

// Load reads the change records and their history. Errors mean it could
// not run (not a repository, no main branch, a shallow clone); a record
// that does not parse is listed in Problems and left out.
func Load(ctx context.Context, o Options) (*Report, error) {
	if o.Location == nil {
		o.Location = shanghai()
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.MaxFileSize <= 0 {
		o.MaxFileSize = record.DefaultMaxSize
	}
	snap, err := gitrepo.OpenSnapshot(o.Root)
	if errors.Is(err, gitrepo.ErrNotRepository) {
		return nil, fmt.Errorf("%s 不是 git 仓库：变更的审批状态由 git 历史得出，请在运维仓库内运行或用 --repo 指定", o.Root)
	}
	if err != nil {
		return nil, err
	}
	rev, err := snap.MainLine(o.Branch)
	if err != nil {
		return nil, err
	}
	tr, err := gitrepo.ApprovalTrail(ctx, o.Root, rev, ChangeDir)
	if err != nil {
		return nil, err
	}
	trail := tr.Files
	rp := &Report{Branch: rev, Now: o.Now.In(o.Location), loc: o.Location, Signed: tr.Signed, KeyChanges: tr.KeyChanges}
	rp.KeyFindings = keyFindings(tr.KeyChanges, o.Location)
	l := &loader{o: o, snap: snap, rp: rp, onMain: map[string]bool{}, ids: map[string]bool{}}

	mainFiles, err := snap.Files(ctx, rev, ChangeDir)
	if err != nil {
		return nil, err
	}
	for _, f := range mainFiles {
		l.onMain[f.Path] = true
	}
	execs, err := l.executions(ctx, rev)
	if err != nil {
		return nil, err
	}
	for _, f := range mainFiles {
		r := l.readBlob(f)
		if r == nil {
			continue
		}
		c := l.change(r)
		c.OnMain = true
		c.Executions = execs[c.ID]
		evidence(c, trail[f.Path], o.Location)
		rp.Changes = append(rp.Changes, c)
	}
	if err := l.drafts(ctx, rev); err != nil {
		return nil, err
	}
	for _, c := range rp.Changes {
		c.State = StateOf(c)
		c.StateLabel = c.State.Label()
	}
	sort.SliceStable(rp.Changes, func(i, j int) bool {
		a, b := rp.Changes[i], rp.Changes[j]
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.Path < b.Path
	})
	return rp, nil
}

func shanghai() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}

type loader struct {
	o      Options
	snap   *gitrepo.Snapshot
	rp     *Report
	onMain map[string]bool // paths of change records on the main line
	ids    map[string]bool // ids seen on the main line or as drafts
}

func (l *loader) problem(path string, err error) {
	l.rp.Problems = append(l.rp.Problems, fmt.Sprintf("%s：%v（运行 opsbook validate 查看）", path, err))
}

// readBlob parses a record from a git blob; nil when it is not a record
// file or does not parse (listed in Problems).
func (l *loader) readBlob(f gitrepo.TreeFile) *record.Record {
	if !record.IsRecordFile(f.Path) {
		return nil
	}
	data, err := l.snap.Read(f.Blob, l.o.MaxFileSize)
	if err != nil {
		l.problem(f.Path, err)
		return nil
	}
	r, err := record.Parse(f.Path, data)
	if err != nil {
		l.problem(f.Path, err)
		return nil
	}
	return r
}

// change builds a Change from a record's fields.
func (l *loader) change(r *record.Record) *Change {
	ch, _ := kind.ChangeFrom(r, l.o.Location) // unreadable windows are left out
	c := &Change{ID: ch.ID, Title: ch.Title, Path: ch.Path, Status: ch.Status,
		Requester: ch.Requester, Implementer: ch.Implementer, Reviewers: ch.Reviewers}
	if c.ID == "" {
		c.ID = strings.TrimSuffix(filepath.Base(r.Path), filepath.Ext(r.Path))
	}
	l.ids[c.ID] = true
	if w := ch.Window; w.OK() {
		s, e := w.Start, w.End
		c.Window = &Window{Start: s, End: e}
		now := l.rp.Now
		switch {
		case now.Before(s):
			c.Window.Phase = PhaseBefore
		case now.Before(e):
			c.Window.Phase, c.Window.Inside = PhaseInside, true
		default:
			c.Window.Phase = PhaseAfter
		}
	}
	return c
}

// executions maps change ids to the execution records on the main line
// that reference them (none when the repository has no execution records).
func (l *loader) executions(ctx context.Context, rev string) (map[string][]Execution, error) {
	files, err := l.snap.Files(ctx, rev, ExecutionDir)
	if err != nil {
		return nil, err
	}
	out := map[string][]Execution{}
	for _, f := range files {
		r := l.readBlob(f)
		if r == nil {
			continue
		}
		x, _ := kind.ExecutionFrom(r)
		if x.Change == "" {
			continue
		}
		out[x.Change] = append(out[x.Change], Execution{ID: x.ID, Path: f.Path, Outcome: x.Outcome})
	}
	return out, nil
}

// drafts adds change records that are not on the main line: committed on
// other branches, or only in the work tree.
func (l *loader) drafts(ctx context.Context, rev string) error {
	branches, err := l.snap.Branches()
	if err != nil {
		return err
	}
	if h := l.snap.DetachedHead(); h != "" && !slices.ContainsFunc(branches, func(b gitrepo.Branch) bool { return b.Commit == h }) {
		branches = append(branches, gitrepo.Branch{Name: "HEAD", Commit: h}) // a CI checkout of a pull request
	}
	mainName := strings.TrimPrefix(rev, "origin/")
	byPath := map[string]*Change{}
	for _, b := range branches {
		if b.Name == mainName || (b.Remote && strings.SplitN(b.Name, "/", 2)[1] == mainName) {
			continue // the main line itself, or a copy of it
		}
		files, err := l.snap.Files(ctx, b.Name, ChangeDir)
		if err != nil {
			return err
		}
		merged := -1 // unknown until a branch has a record the main line lacks
		for _, f := range files {
			if l.onMain[f.Path] || !record.IsRecordFile(f.Path) {
				continue
			}
			if merged < 0 {
				// A branch already merged whose record the main line
				// later deleted or moved holds no draft.
				in, err := l.snap.Contains(rev, b.Commit)
				if err != nil {
					return err
				}
				merged = 0
				if in {
					merged = 1
				}
			}
			if merged == 1 {
				break
			}
			if c := byPath[f.Path]; c != nil {
				c.Branches = append(c.Branches, b.Name)
				continue
			}
			r := l.readBlob(f)
			if r == nil {
				continue
			}
			c := l.change(r)
			c.Branches = []string{b.Name}
			byPath[f.Path] = c
			l.rp.Changes = append(l.rp.Changes, c)
		}
	}
	// Uncommitted records in the work tree.
	ix, err := layout.Scan(l.o.Root)
	if err != nil {
		return nil // no readable work tree (a bare repository): nothing to add
	}
	for _, e := range ix.Entries {
		if e.Kind != "change" || l.onMain[e.Path] || byPath[e.Path] != nil || !record.IsRecordFile(e.Path) {
			continue
		}
		r, err := record.ReadFile(ix.Abs(e.Path), e.Path, l.o.MaxFileSize)
		if err != nil {
			l.problem(e.Path, err)
			continue
		}
		c := l.change(r)
		c.Branches = []string{""}
		l.rp.Changes = append(l.rp.Changes, c)
	}
	return nil
}

// StateOf derives the lifecycle state: git decides whether the change is
// on the main line and approved; the record and execution records decide
// the rest.
func StateOf(c *Change) State {
	switch {
	case !c.OnMain:
		return StateDraft
	case c.Status == "rolled-back":
		return StateRolledBack
	case c.Status == "done" || c.Status == "cancelled":
		return StateClosed
	case len(c.Executions) > 0:
		return StateExecuted
	case c.Approved:
		return StateApproved
	}
	return StateUnapproved
}

// Select returns the changes with the given ids (all when ids is empty)
// and the ids not found.
func (r *Report) Select(ids []string) (out []*Change, missing []string) {
	if len(ids) == 0 {
		return r.Changes, nil
	}
	for _, id := range ids {
		found := false
		for _, c := range r.Changes {
			if strings.EqualFold(c.ID, id) {
				out = append(out, c)
				found = true
			}
		}
		if !found {
			missing = append(missing, id)
		}
	}
	return out, missing
}

// Audit is the approval audit of the changes on the main line.
type Audit struct {
	Branch  string    `json:"branch"`
	Since   string    `json:"since,omitempty"` // YYYY-MM-DD; "" = all history
	Strict  bool      `json:"strict"`
	Changes []*Change `json:"changes"`
	// Approved counts changes whose current version was approved by
	// another person's merge; Violations the error-level findings;
	// Warnings the warning-level ones.
	Approved   int      `json:"approved"`
	Violations int      `json:"violations"`
	Warnings   int      `json:"warnings"`
	Problems   []string `json:"problems,omitempty"`
	// Signed: only signed merges approve (see Report.Signed).
	Signed bool `json:"signed"`
	// KeyFindings are the findings about changes to the key lists; they
	// count among the violations whatever since says.
	KeyFindings []Finding `json:"key_findings,omitempty"`
	// KeyChanges is the history of the key lists (Report.KeyChanges).
	KeyChanges []gitrepo.KeyChange `json:"key_changes,omitempty"`
}

// Failed reports whether the audit should fail the run: a violation was
// found in strict mode.
func (a *Audit) Failed() bool { return a.Strict && a.Violations > 0 }

// Audit selects the changes on the main line whose current version
// reached it on or after since (zero = all).
func (r *Report) Audit(since time.Time, strict bool) *Audit {
	a := &Audit{Branch: r.Branch, Strict: strict, Changes: []*Change{}, Problems: r.Problems, Signed: r.Signed, KeyFindings: r.KeyFindings, KeyChanges: r.KeyChanges}
	a.Violations = len(r.KeyFindings)
	if !since.IsZero() {
		a.Since = since.In(r.loc).Format(time.DateOnly)
	}
	for _, c := range r.Changes {
		if !c.OnMain || (!since.IsZero() && c.ReachedMain != nil && c.ReachedMain.Before(since)) {
			continue
		}
		a.Changes = append(a.Changes, c)
		if c.Approved {
			a.Approved++
		}
		for _, f := range c.Findings {
			if f.Level == LevelError {
				a.Violations++
			} else {
				a.Warnings++
			}
		}
	}
	return a
}

// Location is the zone the report prints times in.
func (r *Report) Location() *time.Location { return r.loc }

// reviewerListed reports whether name is among the record's reviewers.
func reviewerListed(c *Change, name string) bool {
	return slices.Contains(c.Reviewers, name)
}
