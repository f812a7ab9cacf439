package gitrepo

import (
	"fmt"
	"io"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/opsbook/opsbook/internal/signers"
)

// Signed merges for AuditTrail: whose signature a merge carries, and which
// key lists are in force along the main line.

// mergeProof is what a main-line merge proves about who approved it.
type mergeProof struct {
	merger     object.Signature // who approved
	principals []string         // the signing key's reviewer principals
	strength   signers.Strength
	verdict    Verdict // "" when the signature counts
	reason     string
	key        string
}

// same reports whether s (an author) is the approver: by the merger's
// identity, or by a principal of the signing key.
func (p mergeProof) same(s object.Signature) bool {
	if samePerson(p.merger, s) {
		return true
	}
	for _, pr := range p.principals {
		if signers.Matches(pr, s.Name, s.Email) {
			return true
		}
	}
	return false
}

// mergeEvidence checks merge m's signature against the key lists in force
// before it. Without listed reviewers only the committer says who merged.
func (w *auditWalk) mergeEvidence(m *object.Commit) mergeProof {
	w.check = signers.Result{}
	if !w.keys.Active() {
		w.proof = mergeProof{merger: mergerOf(m), strength: signers.StrengthCommitter}
		return w.proof
	}
	res := w.keys.Check(m)
	w.check = res
	p := mergeProof{merger: mergerOf(m), key: res.Key}
	switch res.Kind {
	case signers.Unsigned:
		p.verdict, p.reason = VerdictUnsigned, fmt.Sprintf(reasonUnsigned, short(m.Hash))
	case signers.Invalid:
		p.verdict, p.reason = VerdictBadSignature, fmt.Sprintf(reasonBadSig, short(m.Hash), res.Problem)
	case signers.Reviewer:
		p.merger, p.principals, p.strength = signerIdentity(res.Principals, m), res.Principals, signers.StrengthVerified
	case signers.Platform:
		// The platform signed: the person it recorded merged (the author
		// when the platform committed under its own identity).
		p.merger, p.strength = m.Committer, signers.StrengthPlatform
		if isPlatform(m.Committer) || w.keys.IsPlatform(m.Committer.Email) {
			p.merger = m.Author
		}
		if !w.keys.IsReviewer(p.merger.Name, p.merger.Email) {
			p.strength, p.verdict = "", VerdictBadSignature
			p.reason = fmt.Sprintf(reasonBadSig, short(m.Hash), fmt.Sprintf("可信平台的签名有效，但平台记录的合并者 %s <%s> 不是 %s 中列出的审核人",
				p.merger.Name, p.merger.Email, signers.AllowedSignersPath))
		}
	}
	w.proof = p
	return p
}

// signerIdentity names the reviewer a verified key belongs to: the
// committer or author whose identity matches a principal, else the first
// principal.
func signerIdentity(principals []string, m *object.Commit) object.Signature {
	for _, s := range []object.Signature{m.Committer, m.Author} {
		for _, p := range principals {
			if signers.Matches(p, s.Name, s.Email) {
				return object.Signature{Name: s.Name, Email: s.Email, When: m.Committer.When}
			}
		}
	}
	return object.Signature{Name: principals[0], Email: principals[0], When: m.Committer.When}
}

// keyLists follows the key lists along the main line after commit c (rng:
// the range a merge brought in). A change to them takes effect when it is
// the repository's first list, or when it was merged with a signature of
// a reviewer listed before it who wrote none of it; otherwise it is
// recorded as a finding and the lists in force stay as they were.
func (w *auditWalk) keyLists(c *object.Commit, rng []*object.Commit) error {
	dir, err := w.entry(c.TreeHash, ".opsbook")
	if err != nil {
		return err
	}
	if dir.Mode != filemode.Dir {
		dir.Hash = plumbing.ZeroHash
	}
	if dir.Hash == w.keyDir {
		return nil
	}
	w.keyDir = dir.Hash
	blobs, err := w.keyBlobsOf(c.Hash)
	if err != nil {
		return err
	}
	prev := w.keyBlobs
	if blobs == prev {
		return nil
	}
	w.keyBlobs = blobs
	isMerge := len(c.ParentHashes) > 1
	kc := KeyChange{Commit: c.Hash.String(), At: c.Committer.When, By: c.Committer.Name, Authors: []string{c.Author.Name}}
	if isMerge {
		kc.By = w.proof.merger.Name
	}
	set, perr := w.readKeys(blobs)
	if perr != nil {
		perr = fmt.Errorf("提交 %s 中的 %w", short(c.Hash), perr)
	}
	if !w.keys.Active() {
		if perr != nil {
			kc.Rule, kc.Reason = RuleSignersInvalid, perr.Error()
		} else {
			kc.Approved, kc.Bootstrap, kc.Strength = true, true, signers.StrengthCommitter
			w.keys = set
		}
		w.trail.KeyChanges = append(w.trail.KeyChanges, kc)
		return nil
	}
	var authors []object.Signature
	wrote := !isMerge
	if isMerge {
		if authors, wrote, err = w.keyAuthors(c, rng, prev, blobs); err != nil {
			return err
		}
		kc.Authors = uniqueNames(authors)
		if wrote {
			kc.Authors = uniqueNames(append(authors, c.Author))
		}
	}
	reason := ""
	switch {
	case !isMerge:
		reason = "直接提交到主分支，没有经审核人签名的合并"
	case w.proof.verdict != "":
		reason = w.proof.reason
	case wrote:
		reason = fmt.Sprintf("合并者 %s 在合并提交中自己改写了密钥名单", w.proof.merger.Name)
	default:
		for _, a := range authors {
			if w.proof.same(a) {
				reason = fmt.Sprintf("签名的审核人 %s 也是这次密钥名单修改的作者（自行审批）", w.proof.merger.Name)
				break
			}
		}
	}
	switch {
	case reason != "":
		kc.Rule = RuleSignersUnapproved
		kc.Reason = fmt.Sprintf("提交 %s 修改了审核人密钥名单（%s），但未经名单中已有的另一位审核人签名批准：%s。在获得批准前，仍按修改前的名单验证签名；请由现有审核人用 git merge -S 合并这项修改",
			short(c.Hash), signers.AllowedSignersPath, reason)
	case perr != nil:
		kc.Rule, kc.Reason = RuleSignersInvalid, perr.Error()
	default:
		kc.Approved, kc.Strength = true, w.proof.strength
		w.keys = set
	}
	w.trail.KeyChanges = append(w.trail.KeyChanges, kc)
	return nil
}

// keyBlobsOf returns the blobs of signers.Paths in commit (zero = absent).
func (w *auditWalk) keyBlobsOf(commit plumbing.Hash) ([3]plumbing.Hash, error) {
	var out [3]plumbing.Hash
	for i, p := range signers.Paths {
		h, err := w.fileIn(commit, p)
		if err != nil {
			return out, err
		}
		out[i] = h
	}
	return out, nil
}

// keyAuthors returns the authors of the merged commits that changed the
// key lists, and whether merge m itself wrote a version of them (one that
// differs from every merged parent's).
func (w *auditWalk) keyAuthors(m *object.Commit, rng []*object.Commit, before, after [3]plumbing.Hash) ([]object.Signature, bool, error) {
	var authors []object.Signature
	for _, rc := range rng {
		changed := false
		for _, p := range signers.Paths {
			b, err := w.fileIn(rc.Hash, p)
			if err != nil {
				return nil, false, err
			}
			var pb plumbing.Hash
			if len(rc.ParentHashes) > 0 {
				if pb, err = w.fileIn(rc.ParentHashes[0], p); err != nil {
					return nil, false, err
				}
			}
			if b == pb {
				continue
			}
			if len(rc.ParentHashes) > 1 {
				differs, err := w.differsFromAll(rc.ParentHashes[1:], p, b)
				if err != nil {
					return nil, false, err
				}
				if !differs {
					continue
				}
			}
			changed = true
		}
		if changed {
			authors = append(authors, rc.Author)
		}
	}
	for i, p := range signers.Paths {
		if before[i] == after[i] {
			continue
		}
		differs, err := w.differsFromAll(m.ParentHashes[1:], p, after[i])
		if err != nil {
			return nil, false, err
		}
		if differs {
			return authors, true, nil
		}
	}
	return authors, false, nil
}

// maxKeyFile caps a key list read from history.
const maxKeyFile = 1 << 20

// readKeys parses the key lists whose blobs are given.
func (w *auditWalk) readKeys(blobs [3]plumbing.Hash) (*signers.Set, error) {
	files := map[string][]byte{}
	for i, p := range signers.Paths {
		if blobs[i].IsZero() {
			continue
		}
		b, err := object.GetBlob(w.s, blobs[i])
		if err != nil {
			return nil, fmt.Errorf("%s：%w", p, err)
		}
		if b.Size > maxKeyFile {
			return nil, fmt.Errorf("%s 超过 %d 字节，不像密钥名单", p, maxKeyFile)
		}
		r, err := b.Reader()
		if err != nil {
			return nil, fmt.Errorf("%s：%w", p, err)
		}
		data, err := io.ReadAll(r)
		_ = r.Close()
		if err != nil {
			return nil, fmt.Errorf("%s：%w", p, err)
		}
		files[p] = data
	}
	return signers.NewSet(files)
}
