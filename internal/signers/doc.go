// Package signers reads the repository's lists of trusted signing keys and
// verifies commit signatures against them, so that an approval rests on a
// signature rather than on a committer name anyone can type.
//
// Reviewers' SSH public keys live in .opsbook/allowed_signers, in the format
// of git's gpg.ssh.allowedSignersFile (ssh-keygen(1), ALLOWED SIGNERS):
//
//	lina@example.com namespaces="git" ssh-ed25519 AAAA… 李娜
//
// A principal names one person: it is compared with git identities by
// e-mail address (case-insensitive) or, failing that, by exact name, so the
// principal should be the e-mail address the reviewer commits with.
// Wildcard principals and certificate authorities cannot name one person
// and are refused.
//
// A hosting platform that merges in its web page signs with its own key
// (GitHub's web-flow OpenPGP key, a Gitea instance's SSH or OpenPGP key).
// Such keys are listed as trusted platform keys: SSH keys in
// .opsbook/platform_signers (same format; the principal is the e-mail the
// platform commits with), OpenPGP keys armored in
// .opsbook/platform_keys.asc. A merge they sign is attributed to the user
// the platform recorded.
//
// SSH signatures are verified with github.com/hiddeco/sshsig, OpenPGP ones
// with go-git's commit verification (ProtonMail go-crypto).
package signers
