package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/capability"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/sideband"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/client"
)

// remote is one configured remote, ready to open sessions. Sessions are
// opened directly (not through go-git's Remote.Push) because go-git's push
// walks every object reachable from the remote's refs to decide what to
// send: seconds on a repository with 100,000 files. We know exactly which
// objects our commits add.
type remote struct {
	name    string
	display string // URL without credentials, for messages
	ep      *transport.Endpoint
	cli     transport.Transport
	auth    transport.AuthMethod
	release func()
}

func openRemote(r *git.Repository, o CommitOptions) (*remote, error) {
	rc, err := r.Remote(o.Remote)
	if errors.Is(err, git.ErrRemoteNotFound) {
		return nil, fmt.Errorf("仓库没有名为 %q 的远程：请先执行 git remote add %s <地址>", o.Remote, o.Remote)
	}
	if err != nil {
		return nil, fmt.Errorf("read remote %s: %w", o.Remote, err)
	}
	urls := rc.Config().URLs
	if len(urls) == 0 {
		return nil, fmt.Errorf("远程 %q 没有配置地址：请执行 git remote set-url %s <地址>", o.Remote, o.Remote)
	}
	ep, err := transport.NewEndpoint(urls[0])
	if err != nil {
		// The parser's error quotes the whole address, credentials and all.
		return nil, fmt.Errorf("远程 %q 的地址无法解析，请用 git remote get-url %s 检查（地址可能含凭据，此处不显示）", o.Remote, o.Remote)
	}
	rm := &remote{name: o.Remote, ep: ep, display: displayURL(ep), release: func() {}}
	if rm.cli, err = client.NewClient(ep); err != nil {
		return nil, fmt.Errorf("远程 %s：%w", rm.display, err)
	}
	switch {
	case o.Auth != nil:
		rm.auth = o.Auth
	case ep.Protocol == "ssh":
		if rm.auth, rm.release, err = sshAuth(ep, o.SSH); err != nil {
			return nil, fmt.Errorf("远程 %s：%w", rm.display, err)
		}
	}
	return rm, nil
}

func (rm *remote) close() { rm.release() }

// displayURL renders an endpoint without its credentials: no password,
// and over HTTP(S) no user either (a token is often given as the user).
func displayURL(ep *transport.Endpoint) string {
	if ep.Protocol == "file" {
		return ep.Path
	}
	c := *ep
	c.Password = ""
	if secretUser(ep) {
		c.User = ""
	}
	return c.String()
}

// secretUser reports whether the endpoint's user may be a credential.
func secretUser(ep *transport.Endpoint) bool {
	return ep.User != "" && (ep.Protocol == "http" || ep.Protocol == "https")
}

// redact removes the endpoint's password (and an HTTP user, which may be a
// token) from an error's text.
func (rm *remote) redact(err error) error {
	if err == nil {
		return err
	}
	msg := err.Error()
	var secrets []string
	if rm.ep.Password != "" {
		secrets = append(secrets, rm.ep.Password)
	}
	if secretUser(rm.ep) {
		secrets = append(secrets, rm.ep.User)
	}
	changed := false
	for _, v := range secrets {
		if strings.Contains(msg, v) {
			msg, changed = strings.ReplaceAll(msg, v, "***"), true
		}
	}
	if !changed {
		return err
	}
	return errors.New(msg)
}

// openPush opens a receive-pack session and returns the branch tip the
// remote advertises (zero when the branch or the repository is empty).
func (rm *remote) openPush(ctx context.Context, branch plumbing.ReferenceName) (transport.ReceivePackSession, *packp.AdvRefs, plumbing.Hash, error) {
	sess, err := rm.cli.NewReceivePackSession(rm.ep, rm.auth)
	if err != nil {
		return nil, nil, plumbing.ZeroHash, rm.redact(err)
	}
	ar, err := sess.AdvertisedReferencesContext(ctx)
	if err != nil {
		_ = sess.Close()
		return nil, nil, plumbing.ZeroHash, rm.redact(err)
	}
	tip, err := advertisedTip(ar, branch)
	if err != nil {
		_ = sess.Close()
		return nil, nil, plumbing.ZeroHash, err
	}
	return sess, ar, tip, nil
}

func advertisedTip(ar *packp.AdvRefs, branch plumbing.ReferenceName) (plumbing.Hash, error) {
	refs, err := ar.AllReferences()
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("remote refs: %w", err)
	}
	ref, err := refs.Reference(branch)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return plumbing.ZeroHash, nil
	}
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return ref.Hash(), nil
}

// fetch downloads the remote branch tip's objects, telling the remote which
// commits we have, and returns the tip (zero when the branch is absent).
func (rm *remote) fetch(ctx context.Context, st storer.Storer, branch plumbing.ReferenceName, haves []plumbing.Hash) (plumbing.Hash, error) {
	sess, err := rm.cli.NewUploadPackSession(rm.ep, rm.auth)
	if err != nil {
		return plumbing.ZeroHash, rm.redact(err)
	}
	defer func() { _ = sess.Close() }()
	ar, err := sess.AdvertisedReferencesContext(ctx)
	if errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return plumbing.ZeroHash, nil
	}
	if err != nil {
		return plumbing.ZeroHash, rm.redact(err)
	}
	tip, err := advertisedTip(ar, branch)
	if err != nil || tip.IsZero() || hasObject(st, tip) {
		return tip, err
	}
	req := packp.NewUploadPackRequestFromCapabilities(ar.Capabilities)
	// A thin pack would be stored as is and leave deltas against objects
	// outside it, which `git fsck` rejects.
	req.Capabilities.Delete(capability.ThinPack)
	if ar.Capabilities.Supports(capability.NoProgress) {
		_ = req.Capabilities.Set(capability.NoProgress)
	}
	req.Wants = []plumbing.Hash{tip}
	for _, h := range haves {
		if !h.IsZero() && hasObject(st, h) {
			req.Haves = append(req.Haves, h)
		}
	}
	resp, err := sess.UploadPack(ctx, req)
	if errors.Is(err, transport.ErrEmptyUploadPackRequest) {
		return tip, nil
	}
	if err != nil {
		return plumbing.ZeroHash, rm.redact(err)
	}
	defer func() { _ = resp.Close() }()
	var rd io.Reader = resp
	switch {
	case req.Capabilities.Supports(capability.Sideband64k):
		rd = sideband.NewDemuxer(sideband.Sideband64k, resp)
	case req.Capabilities.Supports(capability.Sideband):
		rd = sideband.NewDemuxer(sideband.Sideband, resp)
	}
	if err := packfile.UpdateObjectStorage(st, rd); err != nil && !errors.Is(err, packfile.ErrEmptyPackfile) {
		return plumbing.ZeroHash, fmt.Errorf("store fetched objects: %w", rm.redact(err))
	}
	if !hasObject(st, tip) {
		return plumbing.ZeroHash, fmt.Errorf("fetch %s: remote did not send %s", branch, short(tip))
	}
	return tip, nil
}

// sendPack updates branch on the remote from old to new, sending objs.
func sendPack(ctx context.Context, sess transport.ReceivePackSession, ar *packp.AdvRefs, st storer.EncodedObjectStorer, branch plumbing.ReferenceName, old, new plumbing.Hash, objs []plumbing.Hash) error {
	req := packp.NewReferenceUpdateRequestFromCapabilities(ar.Capabilities)
	req.Commands = []*packp.Command{{Name: branch, Old: old, New: new}}
	rd, wr := io.Pipe()
	req.Packfile = rd
	done := make(chan error, 1)
	go func() {
		enc := packfile.NewEncoder(wr, st, !ar.Capabilities.Supports(capability.OFSDelta))
		_, err := enc.Encode(objs, 10)
		_ = wr.CloseWithError(err)
		done <- err
	}()
	_, err := sess.ReceivePack(ctx, req)
	_ = rd.Close()
	encErr := <-done
	if err != nil {
		return err
	}
	if encErr != nil {
		return fmt.Errorf("encode pack: %w", encErr)
	}
	return nil
}

func hasObject(s storer.EncodedObjectStorer, h plumbing.Hash) bool {
	return s.HasEncodedObject(h) == nil
}
