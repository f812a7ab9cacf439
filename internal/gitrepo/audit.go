package gitrepo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/opsbook/opsbook/internal/signers"
)

// Audit is the audit trail of one file: who created it, who last changed
// it, and which merges into the main line approved its versions.
//
// The file's lifetime on the main line starts at the commit that (re)added
// it: a file deleted on the main line leaves the map, and a rename is a
// delete plus an add, so the new path is created by the commit that renamed
// it (git's rename detection is a heuristic, and an audit trail must not
// guess).
//
// Created/Updated name the commit that wrote the content (its author and
// author time), not the merge that brought it to the main line; the merge is
// recorded as an Approval.
//
// Independent describes the file's current version, the one a reader sees:
// it is true when the main-line event that produced that version was a merge
// commit whose merger wrote none of the merged changes to the file. For a
// change plan this means the version on the main line (whatever its status)
// was approved by someone other than its authors; an earlier independent
// approval does not cover a later direct edit or a later self-merge.
type Audit struct {
	CreatedAt     time.Time `json:"created_at"`
	CreatedBy     string    `json:"created_by"`
	CreatedCommit string    `json:"created_commit"`
	UpdatedAt     time.Time `json:"updated_at"`
	UpdatedBy     string    `json:"updated_by"`
	UpdatedCommit string    `json:"updated_commit"`
	// Approvals lists every merge into the first-parent line that changed
	// the file during its current lifetime, oldest first.
	Approvals []Approval `json:"approvals,omitempty"`
	// Independent is false when the current version reached the main line
	// without a merge commit (a direct push, a fast-forward, a platform's
	// squash or rebase merge), or when its merger also wrote it.
	Independent bool `json:"independent"`
	// Reason explains, in Chinese, why the version is not independently
	// approved ("" when it is).
	Reason string `json:"reason,omitempty"`
	// Verdict says how the current version reached the main line, as data:
	// Independent and Reason in a form programs can switch on.
	Verdict Verdict `json:"verdict"`

	current int // 1 + index in Approvals of the merge that brought the current version; 0 = none
}

// Verdict classifies how a file's current version reached the main line.
type Verdict string

// Verdicts. A file whose current version was committed directly after an
// earlier merge (VerdictDirect or VerdictPlatform with Approvals) was edited
// after its approval.
const (
	// VerdictIndependent: a merge commit whose merger wrote none of it.
	VerdictIndependent Verdict = "independent"
	// VerdictSelfMerged: the merger also authored merged commits that
	// changed the file.
	VerdictSelfMerged Verdict = "self-merged"
	// VerdictMergerWrote: the merge commit itself wrote the content (a
	// conflict resolution or an edit hidden in the merge).
	VerdictMergerWrote Verdict = "merger-wrote"
	// VerdictDirect: a non-merge commit on the main line (a direct push, a
	// fast-forward, a squash made with the git CLI).
	VerdictDirect Verdict = "direct"
	// VerdictPlatform: a non-merge commit a hosting platform committed for
	// someone else (a web squash or rebase merge): no merge commit records
	// the review.
	VerdictPlatform Verdict = "platform"
	// VerdictUnsigned: a merge commit without a signature in a repository
	// that lists reviewers' keys (.opsbook/allowed_signers).
	VerdictUnsigned Verdict = "unsigned"
	// VerdictBadSignature: a merge commit whose signature does not verify
	// against a listed key (unknown key, altered commit, expired key, or a
	// platform merge by someone who is not a listed reviewer).
	VerdictBadSignature Verdict = "bad-signature"
)

// Approval is a merge commit on the main line that changed a file.
type Approval struct {
	// By is the merger: the merge commit's committer, or its author when
	// the committer is a hosting platform's bot identity (GitHub's web
	// merges are committed by "GitHub <noreply@github.com>" and authored by
	// the user who pressed the button; Gitea/Forgejo/GitLab likewise).
	By string `json:"by"`
	// At is when the merge commit was made (committer time).
	At time.Time `json:"at"`
	// Commit is the merge commit's hash.
	Commit string `json:"commit"`
	// Message is the merge commit's full message, trimmed (on GitHub the
	// pull request title is its second paragraph).
	Message string `json:"message"`
	// Authors are the authors of the merged commits that touched the file,
	// in history order without repeats. When the merge commit itself wrote
	// the file's content (a conflict resolution, or an edit hidden in the
	// merge), the merge commit's author is listed too.
	Authors []string `json:"authors"`
	// Via names the hosting platform that committed the merge on By's
	// behalf (e.g. "GitHub" for a web merge); "" when By committed it.
	Via string `json:"via,omitempty"`
	// Strength says what By rests on: a reviewer's verified signature, a
	// trusted platform's signature, or only the committer name (in a
	// repository that lists no signers). "" when the merge's signature
	// does not count (Verdict unsigned or bad-signature).
	Strength signers.Strength `json:"strength,omitempty"`
	// Key is the signing key's fingerprint (SSH) or key id (OpenPGP).
	Key string `json:"key,omitempty"`
}

// Trail is the audit trail of a prefix together with the history of the
// key lists that decide whose signature approves.
type Trail struct {
	Files map[string]*Audit
	// Signed is true when reviewers' keys are in force at the tip: only
	// merges signed with them (or a trusted platform's key) approve.
	Signed bool
	// KeyChanges lists every main-line commit that changed the key lists
	// (signers.Paths), oldest first.
	KeyChanges []KeyChange
}

// KeyChange is a main-line commit that changed the key lists.
type KeyChange struct {
	Commit  string    `json:"commit"`
	By      string    `json:"by"` // who approved it (the merger), or who committed it
	At      time.Time `json:"at"`
	Authors []string  `json:"authors"` // who wrote the change to the key lists
	// Approved: the change took effect. The first list of a repository
	// (Bootstrap) is trusted as it is: nothing before it could approve it.
	Approved  bool             `json:"approved"`
	Bootstrap bool             `json:"bootstrap,omitempty"`
	Strength  signers.Strength `json:"strength,omitempty"`
	// Rule is the finding of a change that did not take effect:
	// approval/signers-unapproved or approval/signers-invalid.
	Rule   string `json:"rule,omitempty"`
	Reason string `json:"reason,omitempty"` // Chinese
}

// Rules of KeyChange findings.
const (
	RuleSignersUnapproved = "approval/signers-unapproved"
	RuleSignersInvalid    = "approval/signers-invalid"
)

// CurrentApproval returns the merge that brought the file's current version
// to the main line, or nil when that version was committed directly.
func (a *Audit) CurrentApproval() *Approval {
	if a == nil || a.current == 0 {
		return nil
	}
	return &a.Approvals[a.current-1]
}

// Reasons a version is not independently approved.
const (
	reasonDirect   = "直接提交到主分支，未经合并请求"
	reasonPlatform = "经代码托管平台压缩合并或变基合并进入主分支，没有合并提交，无法从 git 历史证明由他人审批（请在平台上使用“创建合并提交”方式合并）"
	reasonLatest   = "最新修改" // prefixed when earlier versions were merged
	reasonSelf     = "合并者%s也是该变更的作者"
	reasonWrote    = "合并者%s在合并提交中修改了该文件（如解决冲突），也是该版本的作者"
	reasonUnsigned = "合并提交 %s 没有签名：仓库已在 " + signers.AllowedSignersPath + " 中列出审核人的密钥，只有用审核人密钥签名的合并（git merge -S）或可信平台签名的网页合并才算审批"
	reasonBadSig   = "合并提交 %s 的签名不能证明审批：%s"
)

// ErrShallowHistory means the repository is a shallow clone: the history
// the audit trail needs is incomplete, and the oldest commits would be
// reported as creating every file.
var ErrShallowHistory = errors.New("仓库是浅克隆（shallow clone），历史不完整，无法生成审计记录：请执行 git fetch --unshallow，或在 CI 的 checkout 步骤设置 fetch-depth: 0")

// AuditTrail returns the audit trail of every file under prefix (e.g.
// "content/"; "" = every file) that exists at the tip of branch ("" = HEAD;
// any revision git understands, e.g. "main" or "origin/main").
//
// It reads the history once: it walks the first-parent chain of the branch
// from the root commit forward; a non-merge commit on that chain changed
// its files directly; a merge commit M (parents P1 on the main line, P2…)
// brought in the files that differ between P1 and M, and the merged range —
// the commits reachable from P2… that the main line had not yet reached —
// is walked once to find who wrote them. Every commit is visited once and
// diffed once against its first parent (a merge inside a range counts for a
// file only where it differs from all its parents), so the cost grows with
// the size of the history, not with files × commits.
func AuditTrail(ctx context.Context, root, branch, prefix string) (map[string]*Audit, error) {
	t, err := ApprovalTrail(ctx, root, branch, prefix)
	if err != nil {
		return nil, err
	}
	return t.Files, nil
}

// ApprovalTrail is AuditTrail with the history of the key lists: the walk
// also follows .opsbook/allowed_signers and the platform key lists along
// the main line. Once reviewers' keys are listed, a merge approves only
// when its signature verifies against the lists in force before it (those
// of its first parent, as far as their changes were themselves approved:
// a change to the lists takes effect only when merged with a signature of
// an existing reviewer other than its authors).
func ApprovalTrail(ctx context.Context, root, branch, prefix string) (*Trail, error) {
	r, err := git.PlainOpenWithOptions(root, &git.PlainOpenOptions{DetectDotGit: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, ErrNotRepository
	}
	if err != nil {
		return nil, fmt.Errorf("open git repository: %w", err)
	}
	fsStore, ok := r.Storer.(*filesystem.Storage)
	if !ok {
		return nil, fmt.Errorf("open git repository %s: unsupported storage", root)
	}
	// The walk reads every commit and many trees: keep the pack files open
	// instead of reopening one per object (go-git's default).
	st := filesystem.NewStorageWithOptions(fsStore.Filesystem(), cache.NewObjectLRUDefault(), filesystem.Options{KeepDescriptors: true})
	defer func() { _ = st.Close(); _ = fsStore.Close() }()
	tip, err := auditTip(r, branch)
	if err != nil {
		return nil, err
	}
	if tip.IsZero() {
		return &Trail{Files: map[string]*Audit{}}, nil // no commits yet
	}
	if sh, err := st.Shallow(); err != nil {
		return nil, fmt.Errorf("read .git/shallow: %w", err)
	} else if len(sh) > 0 {
		return nil, ErrShallowHistory
	}
	w := &auditWalk{
		s:      st,
		prefix: prefix,
		seen:   map[plumbing.Hash]bool{},
		trees:  map[plumbing.Hash]plumbing.Hash{},
		subs:   map[plumbing.Hash]plumbing.Hash{},
		out:    map[string]*Audit{},
	}
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		w.dir = prefix[:i+1]
	}
	chain, err := w.firstParents(ctx, tip)
	if err != nil {
		return nil, err
	}
	var parentTree plumbing.Hash
	for _, c := range chain {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var rng []*object.Commit
		if len(c.ParentHashes) > 1 {
			rng, err = w.merge(ctx, c, parentTree)
		} else {
			err = w.direct(c, parentTree)
		}
		if err != nil {
			return nil, err
		}
		if err := w.keyLists(c, rng); err != nil {
			return nil, err
		}
		parentTree = c.TreeHash
	}
	w.trail.Files = w.out
	w.trail.Signed = w.keys.Active()
	return &w.trail, nil
}

// auditTip resolves branch ("" = HEAD) to a commit; zero when HEAD is unborn.
func auditTip(r *git.Repository, branch string) (plumbing.Hash, error) {
	if branch == "" {
		head, err := r.Head()
		if errors.Is(err, plumbing.ErrReferenceNotFound) {
			return plumbing.ZeroHash, nil // no commits yet
		}
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("read HEAD: %w", err)
		}
		return head.Hash(), nil
	}
	h, err := r.ResolveRevision(plumbing.Revision(branch))
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("找不到分支 %s（%w）：请检查分支名，CI 中可用 origin/%s", branch, err, branch)
	}
	return *h, nil
}

// auditWalk holds the state of one AuditTrail walk.
type auditWalk struct {
	s      storer.EncodedObjectStorer
	prefix string
	dir    string // prefix up to its last '/': the subtree every diff starts at
	// seen holds every commit reachable from the main-line commit being
	// processed (the main line so far and every range merged into it).
	seen  map[plumbing.Hash]bool
	trees map[plumbing.Hash]plumbing.Hash // commit → root tree
	subs  map[plumbing.Hash]plumbing.Hash // root tree → tree at dir
	out   map[string]*Audit

	cur, old map[plumbing.Hash][]object.TreeEntry // decoded trees, two generations
	curSize  int
	buf      bytes.Buffer

	keys     *signers.Set  // the key lists in force (nil = none yet)
	keyDir   plumbing.Hash // the .opsbook tree at the previous main-line commit
	keyBlobs [3]plumbing.Hash
	check    signers.Result // the signature check of the merge being processed
	proof    mergeProof     // and what it proves
	trail    Trail
}

// auditTouch is a commit of a merged range that changed a file.
type auditTouch struct {
	c       *object.Commit
	deleted bool
}

func (w *auditWalk) commit(h plumbing.Hash) (*object.Commit, error) {
	c, err := object.GetCommit(w.s, h)
	if err != nil {
		return nil, fmt.Errorf("读取提交 %s 失败（仓库历史不完整？）：%w", short(h), err)
	}
	w.trees[h] = c.TreeHash
	return c, nil
}

func (w *auditWalk) treeOf(h plumbing.Hash) (plumbing.Hash, error) {
	if t, ok := w.trees[h]; ok {
		return t, nil
	}
	c, err := w.commit(h)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return c.TreeHash, nil
}

// firstParents returns the first-parent chain ending at tip, root first.
func (w *auditWalk) firstParents(ctx context.Context, tip plumbing.Hash) ([]*object.Commit, error) {
	var chain []*object.Commit
	for h := tip; ; {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c, err := w.commit(h)
		if err != nil {
			return nil, err
		}
		chain = append(chain, c)
		if len(c.ParentHashes) == 0 {
			break
		}
		h = c.ParentHashes[0]
	}
	for i, j := 0, len(chain)-1; i < j; i, j = i+1, j-1 {
		chain[i], chain[j] = chain[j], chain[i]
	}
	return chain, nil
}

// direct records a non-merge main-line commit: its files were changed
// without a merge commit.
func (w *auditWalk) direct(c *object.Commit, parentTree plumbing.Hash) error {
	w.seen[c.Hash] = true
	deltas, err := w.diff(parentTree, c.TreeHash, nil)
	if err != nil {
		return fmt.Errorf("diff %s: %w", short(c.Hash), err)
	}
	reason, verdict := reasonDirect, VerdictDirect
	if isPlatform(c.Committer) && !samePerson(c.Author, c.Committer) {
		reason, verdict = reasonPlatform, VerdictPlatform
	}
	for _, d := range deltas {
		if d.To.Hash.IsZero() {
			delete(w.out, d.Path)
			continue
		}
		a := w.out[d.Path]
		if a == nil {
			a = &Audit{CreatedAt: c.Author.When, CreatedBy: c.Author.Name, CreatedCommit: c.Hash.String()}
			w.out[d.Path] = a
		}
		a.UpdatedAt, a.UpdatedBy, a.UpdatedCommit = c.Author.When, c.Author.Name, c.Hash.String()
		a.Independent, a.Reason, a.Verdict, a.current = false, reason, verdict, 0
		if len(a.Approvals) > 0 {
			a.Reason = reasonLatest + reason
		}
	}
	return nil
}

// merge records a merge commit on the main line.
func (w *auditWalk) merge(ctx context.Context, m *object.Commit, p1Tree plumbing.Hash) ([]*object.Commit, error) {
	deltas, err := w.diff(p1Tree, m.TreeHash, nil)
	if err != nil {
		return nil, fmt.Errorf("diff %s: %w", short(m.Hash), err)
	}
	rng, err := w.mergedRange(ctx, m.ParentHashes[1:])
	if err != nil {
		return nil, err
	}
	ev := w.mergeEvidence(m)
	w.seen[m.Hash] = true
	want, dirs := map[string]bool{}, map[string]bool{}
	for _, d := range deltas {
		if !d.To.Hash.IsZero() {
			want[d.Path] = true
			for i := strings.LastIndexByte(d.Path, '/'); i >= 0 && !dirs[d.Path[:i+1]]; i = strings.LastIndexByte(d.Path[:i], '/') {
				dirs[d.Path[:i+1]] = true
			}
		}
	}
	if len(want) == 0 {
		for _, d := range deltas {
			delete(w.out, d.Path)
		}
		return rng, nil
	}
	touches := map[string][]auditTouch{}
	for _, rc := range rng {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		err := w.touched(rc, want, dirs, func(path string, t auditTouch) { touches[path] = append(touches[path], t) })
		if err != nil {
			return nil, err
		}
	}
	merger := ev.merger
	via := ""
	if isPlatform(m.Committer) || (ev.strength == signers.StrengthPlatform && w.keys.IsPlatform(m.Committer.Email)) {
		via = m.Committer.Name
	}
	message := strings.TrimSpace(m.Message)
	for _, d := range deltas {
		if d.To.Hash.IsZero() {
			delete(w.out, d.Path)
			continue
		}
		ts := touches[d.Path]
		// The merge wrote the content itself when it differs from every
		// parent (a conflict resolution), or when no merged commit touched
		// the file (the merge reverted a main-line change, or hid an edit).
		wrote := len(ts) == 0
		if !wrote {
			if wrote, err = w.differsFromAll(m.ParentHashes[1:], d.Path, d.To.Hash); err != nil {
				return nil, err
			}
		}
		var sigs []object.Signature
		for _, t := range ts {
			sigs = append(sigs, t.c.Author)
		}
		if wrote {
			sigs = append(sigs, m.Author)
		}
		a := w.out[d.Path]
		if a == nil {
			by := auditCreated(ts)
			if by == nil {
				by = m
			}
			a = &Audit{CreatedAt: by.Author.When, CreatedBy: by.Author.Name, CreatedCommit: by.Hash.String()}
			w.out[d.Path] = a
		}
		last := m
		if !wrote {
			last = ts[len(ts)-1].c
		}
		a.UpdatedAt, a.UpdatedBy, a.UpdatedCommit = last.Author.When, last.Author.Name, last.Hash.String()
		a.Approvals = append(a.Approvals, Approval{By: merger.Name, At: m.Committer.When, Commit: m.Hash.String(), Message: message, Authors: uniqueNames(sigs), Via: via,
			Strength: ev.strength, Key: ev.key})
		a.current = len(a.Approvals)
		a.Independent, a.Reason, a.Verdict = true, "", VerdictIndependent
		if ev.verdict != "" {
			a.Independent, a.Reason, a.Verdict = false, ev.reason, ev.verdict
			continue
		}
		for i, s := range sigs {
			if ev.same(s) {
				a.Independent = false
				if i < len(ts) {
					a.Reason, a.Verdict = fmt.Sprintf(reasonSelf, merger.Name), VerdictSelfMerged
				} else {
					a.Reason, a.Verdict = fmt.Sprintf(reasonWrote, merger.Name), VerdictMergerWrote
				}
				break
			}
		}
		// A signed merge that wrote content itself was written by its
		// signer, whatever author it names.
		if a.Independent && wrote && ev.strength == signers.StrengthVerified {
			a.Independent, a.Reason, a.Verdict = false, fmt.Sprintf(reasonWrote, merger.Name), VerdictMergerWrote
		}
	}
	return rng, nil
}

// auditCreated returns the commit of a range that created the file's
// current lifetime: the first touch after the range's last delete of it, or nil
// when the range ends with a delete (the merge itself restored the file).
func auditCreated(ts []auditTouch) *object.Commit {
	var c *object.Commit
	for _, t := range ts {
		switch {
		case t.deleted:
			c = nil
		case c == nil:
			c = t.c
		}
	}
	return c
}

// mergedRange returns the commits reachable from heads that are not yet
// seen, parents before children (depth-first, first parents first), and
// marks them seen. Each commit of the history is returned by exactly one
// call.
func (w *auditWalk) mergedRange(ctx context.Context, heads []plumbing.Hash) ([]*object.Commit, error) {
	type frame struct {
		c    *object.Commit
		next int
	}
	var order []*object.Commit
	var stack []frame
	push := func(h plumbing.Hash) error {
		w.seen[h] = true
		c, err := w.commit(h)
		if err == nil {
			stack = append(stack, frame{c: c})
		}
		return err
	}
	for _, h := range heads {
		if w.seen[h] {
			continue
		}
		if err := push(h); err != nil {
			return nil, err
		}
		for len(stack) > 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			top := &stack[len(stack)-1]
			if top.next < len(top.c.ParentHashes) {
				p := top.c.ParentHashes[top.next]
				top.next++
				if !w.seen[p] {
					if err := push(p); err != nil {
						return nil, err
					}
				}
				continue
			}
			order = append(order, top.c)
			stack = stack[:len(stack)-1]
		}
	}
	return order, nil
}

// touched reports the files in want (in the directories dirs) that commit c
// changed. A merge changes a file only where its version differs from all
// its parents' (what it brought from one parent into another was written
// by that parent's commits).
func (w *auditWalk) touched(c *object.Commit, want, dirs map[string]bool, fn func(string, auditTouch)) error {
	var parentTree plumbing.Hash
	if len(c.ParentHashes) > 0 {
		t, err := w.treeOf(c.ParentHashes[0])
		if err != nil {
			return err
		}
		parentTree = t
	}
	deltas, err := w.diff(parentTree, c.TreeHash, dirs)
	if err != nil {
		return fmt.Errorf("diff %s: %w", short(c.Hash), err)
	}
	for _, d := range deltas {
		if !want[d.Path] {
			continue
		}
		if len(c.ParentHashes) > 1 {
			differs, err := w.differsFromAll(c.ParentHashes[1:], d.Path, d.To.Hash)
			if err != nil {
				return err
			}
			if !differs {
				continue
			}
		}
		fn(d.Path, auditTouch{c: c, deleted: d.To.Hash.IsZero()})
	}
	return nil
}

// differsFromAll reports whether blob (zero = absent) differs from path's
// version in every one of the commits.
func (w *auditWalk) differsFromAll(commits []plumbing.Hash, path string, blob plumbing.Hash) (bool, error) {
	for _, p := range commits {
		h, err := w.fileIn(p, path)
		if err != nil {
			return false, err
		}
		if h == blob {
			return false, nil
		}
	}
	return true, nil
}

// mergerOf returns who merged m: its committer, or its author when the
// committer is a hosting platform.
func mergerOf(m *object.Commit) object.Signature {
	if isPlatform(m.Committer) {
		return m.Author
	}
	return m.Committer
}

// isPlatform recognises the identities hosting platforms commit web merges
// with ("GitHub <noreply@github.com>", "Gitea <noreply@…>"). A user's own
// noreply address (12345+user@users.noreply.github.com) is a person.
func isPlatform(s object.Signature) bool {
	email := strings.ToLower(strings.TrimSpace(s.Email))
	if email == "noreply@github.com" {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(s.Name)) {
	case "github", "gitea", "forgejo", "gitlab", "gogs":
		return email == "" || strings.HasPrefix(email, "noreply@")
	}
	return false
}

// samePerson compares identities by e-mail (case-insensitive) or name: the
// same person may commit with two addresses, and two people sharing one
// address cannot be told apart, so either match counts.
func samePerson(a, b object.Signature) bool {
	ea, eb := strings.TrimSpace(a.Email), strings.TrimSpace(b.Email)
	if ea != "" && strings.EqualFold(ea, eb) {
		return true
	}
	na, nb := strings.TrimSpace(a.Name), strings.TrimSpace(b.Name)
	return na != "" && na == nb
}

// uniqueNames returns the signatures' names in order, without repeats.
func uniqueNames(sigs []object.Signature) []string {
	out := []string{}
	for _, s := range sigs {
		dup := false
		for _, n := range out {
			dup = dup || n == s.Name
		}
		if !dup {
			out = append(out, s.Name)
		}
	}
	return out
}
