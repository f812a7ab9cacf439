package signers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"
)

// Strength says what an approval's identity rests on.
type Strength string

// Strengths, strongest first.
const (
	// StrengthVerified: the merge is signed with a listed reviewer's key.
	StrengthVerified Strength = "verified"
	// StrengthPlatform: the merge is signed with a trusted platform's key,
	// and the platform recorded who merged.
	StrengthPlatform Strength = "platform"
	// StrengthCommitter: only the committer name and e-mail, which anyone
	// can set, say who merged (the repository lists no signers).
	StrengthCommitter Strength = "committer"
)

var strengthLabels = map[Strength]string{
	StrengthVerified: "签名已验证", StrengthPlatform: "平台签名", StrengthCommitter: "仅提交者信息",
}

// Label is the strength's Chinese name.
func (s Strength) Label() string { return strengthLabels[s] }

// Set is the key lists in force at one commit of the main line.
type Set struct {
	Reviewers *List // .opsbook/allowed_signers (nil = absent)
	Platform  *List // .opsbook/platform_signers (nil = absent)
	// PlatformPGP is the armored OpenPGP key ring of platform keys.
	PlatformPGP string
	pgpEmails   []string // the e-mail addresses of PlatformPGP's identities
}

// NewSet parses the key lists; files maps a path of Paths to its content
// (absent paths are missing files).
func NewSet(files map[string][]byte) (*Set, error) {
	s := &Set{}
	var err error
	if data, ok := files[AllowedSignersPath]; ok {
		if s.Reviewers, err = Parse(AllowedSignersPath, data); err != nil {
			return nil, err
		}
	}
	if data, ok := files[PlatformSignersPath]; ok {
		if s.Platform, err = Parse(PlatformSignersPath, data); err != nil {
			return nil, err
		}
	}
	if data, ok := files[PlatformKeysPath]; ok && len(bytes.TrimSpace(data)) > 0 {
		ring, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(data))
		if err != nil {
			return nil, &ParseError{File: PlatformKeysPath, Line: 1, Msg: fmt.Sprintf("无法读取 OpenPGP 公钥（%v）；请粘贴 gpg --armor --export 的输出", err)}
		}
		s.PlatformPGP = string(data)
		for _, e := range ring {
			for _, id := range e.Identities {
				if id.UserId != nil && id.UserId.Email != "" {
					s.pgpEmails = append(s.pgpEmails, id.UserId.Email)
				}
			}
		}
	}
	return s, nil
}

// Active reports whether the set lists any reviewer: from then on only
// signed merges approve.
func (s *Set) Active() bool { return s != nil && s.Reviewers != nil && len(s.Reviewers.Entries) > 0 }

// IsReviewer reports whether a git identity is a listed reviewer: its
// e-mail (case-insensitive) or name equals a principal.
func (s *Set) IsReviewer(name, email string) bool {
	if !s.Active() {
		return false
	}
	for _, e := range s.Reviewers.Entries {
		if slices.ContainsFunc(e.Principals, func(p string) bool { return Matches(p, name, email) }) {
			return true
		}
	}
	return false
}

// IsPlatform reports whether an e-mail address is one a listed platform
// key signs as (a platform_signers principal or an OpenPGP identity).
func (s *Set) IsPlatform(email string) bool {
	if s == nil || email == "" {
		return false
	}
	same := func(p string) bool { return strings.EqualFold(p, email) }
	if slices.ContainsFunc(s.pgpEmails, same) {
		return true
	}
	if s.Platform != nil {
		for _, e := range s.Platform.Entries {
			if slices.ContainsFunc(e.Principals, same) {
				return true
			}
		}
	}
	return false
}

// Matches reports whether principal names the git identity name <email>.
func Matches(principal, name, email string) bool {
	principal = strings.TrimSpace(principal)
	if principal == "" {
		return false
	}
	return strings.EqualFold(principal, strings.TrimSpace(email)) || principal == strings.TrimSpace(name)
}

// Kind is the outcome of checking a commit's signature.
type Kind int

// Kinds.
const (
	Unsigned Kind = iota // no signature
	Invalid              // a signature that does not verify against a listed key
	Reviewer             // verified with a listed reviewer's key
	Platform             // verified with a trusted platform key
)

// Result is the outcome of checking one commit's signature.
type Result struct {
	Kind Kind
	// Principals are the reviewer principals of the signing key (Reviewer).
	Principals []string
	// Key describes the signing key (fingerprint or OpenPGP key id).
	Key string
	// Problem says, in Chinese, why an Invalid signature does not count.
	Problem string
}

// Check verifies commit c's signature against the set. A signature counts
// only when it verifies against a listed key whose namespaces allow "git"
// and whose validity interval holds the commit's committer time (the time
// git checks too).
func (s *Set) Check(c *object.Commit) Result {
	sig := strings.TrimSpace(c.PGPSignature)
	if sig == "" {
		return Result{Kind: Unsigned}
	}
	payload, err := signedPayload(c)
	if err != nil {
		return Result{Kind: Invalid, Problem: fmt.Sprintf("无法读取提交内容：%v", err)}
	}
	switch {
	case strings.HasPrefix(sig, "-----BEGIN SSH SIGNATURE-----"):
		return s.checkSSH([]byte(c.PGPSignature), payload, c.Committer.When)
	case strings.HasPrefix(sig, "-----BEGIN PGP SIGNATURE-----"):
		return s.checkPGP(c)
	}
	return Result{Kind: Invalid, Problem: "签名格式无法识别（既不是 SSH 签名也不是 OpenPGP 签名）"}
}

// signedPayload is the commit object without its signature header: the
// bytes git signed.
func signedPayload(c *object.Commit) ([]byte, error) {
	o := &plumbing.MemoryObject{}
	if err := c.EncodeWithoutSignature(o); err != nil {
		return nil, err
	}
	r, err := o.Reader()
	if err != nil {
		return nil, err
	}
	defer func() { _ = r.Close() }()
	return io.ReadAll(r)
}

func (s *Set) checkSSH(armored, payload []byte, at time.Time) Result {
	sig, err := sshsig.Unarmor(armored)
	if err != nil {
		return Result{Kind: Invalid, Problem: fmt.Sprintf("SSH 签名无法解析：%v", err)}
	}
	fp := ssh.FingerprintSHA256(sig.PublicKey)
	if sig.Namespace != Namespace {
		return Result{Kind: Invalid, Key: fp, Problem: fmt.Sprintf("签名的命名空间是 %q，不是 git 提交签名所用的 \"git\"", sig.Namespace)}
	}
	res, found := verifyList(s.Reviewers, sig, payload, at, fp)
	if res.Kind == Reviewer {
		return res
	}
	pres, pfound := verifyList(s.Platform, sig, payload, at, fp)
	if pres.Kind == Reviewer {
		return Result{Kind: Platform, Key: fp}
	}
	switch {
	case found:
		return res
	case pfound:
		return pres
	}
	return Result{Kind: Invalid, Key: fp, Problem: fmt.Sprintf("签名密钥 %s 不在 %s 中", fp, AllowedSignersPath)}
}

// verifyList verifies sig against the entries of l holding its key; found
// reports whether any entry holds the key.
func verifyList(l *List, sig *sshsig.Signature, payload []byte, at time.Time, fp string) (Result, bool) {
	if l == nil {
		return Result{}, false
	}
	var principals []string
	found, problem := false, ""
	for _, e := range l.Entries {
		if ssh.FingerprintSHA256(e.Key) != fp {
			continue
		}
		found = true
		switch {
		case !matchNamespace(Namespace, e.Namespaces):
			problem = fmt.Sprintf("%s 第 %d 行的 namespaces=%q 不允许 git 提交签名", l.File, e.Line, e.Namespaces)
			continue
		case !e.ValidAfter.IsZero() && at.Before(e.ValidAfter):
			problem = fmt.Sprintf("签名时间 %s 早于 %s 第 %d 行的 valid-after", at.Format(time.DateTime), l.File, e.Line)
			continue
		case !e.ValidBefore.IsZero() && at.After(e.ValidBefore):
			problem = fmt.Sprintf("签名时间 %s 晚于 %s 第 %d 行的 valid-before（密钥已过期）", at.Format(time.DateTime), l.File, e.Line)
			continue
		}
		if err := sshsig.Verify(bytes.NewReader(payload), sig, e.Key, sig.HashAlgorithm, Namespace); err != nil {
			return Result{Kind: Invalid, Key: fp, Problem: fmt.Sprintf("签名与提交内容不符（%v）：提交在签名后被改动，或签名是伪造的", err)}, true
		}
		for _, p := range e.Principals {
			if !slices.Contains(principals, p) {
				principals = append(principals, p)
			}
		}
	}
	if len(principals) > 0 {
		return Result{Kind: Reviewer, Principals: principals, Key: fp}, true
	}
	return Result{Kind: Invalid, Key: fp, Problem: problem}, found
}

func (s *Set) checkPGP(c *object.Commit) Result {
	if s.PlatformPGP == "" {
		return Result{Kind: Invalid, Problem: fmt.Sprintf("OpenPGP 签名，但仓库没有在 %s 中列出可信的平台 OpenPGP 公钥", PlatformKeysPath)}
	}
	e, err := c.Verify(s.PlatformPGP)
	if err != nil {
		msg := err.Error()
		if errors.Is(err, object.ErrMultipleSignatures) {
			msg = "含有多个签名"
		}
		return Result{Kind: Invalid, Problem: fmt.Sprintf("OpenPGP 签名无法用 %s 中的平台公钥验证（%s）", PlatformKeysPath, msg)}
	}
	return Result{Kind: Platform, Key: e.PrimaryKey.KeyIdString()}
}
