// Package approval derives, from git history and the change records, each
// change's lifecycle and the evidence that it was approved: a change plan
// is a pull request, and merging it into the main line is the approval.
//
// Load reads the main line's change records (from git objects, not the work
// tree), the audit trail of content/change/ (gitrepo.AuditTrail, one walk of
// the first-parent history), execution records that reference changes, and
// change records that exist only on other branches or uncommitted in the
// work tree (drafts). Each Change gets a State — draft, unapproved,
// approved, executed, closed, rolled back — the merge that approved it
// (who, when, which pull request, whether a hosting platform committed it),
// its window relative to now, and Findings: self-approval (the merger wrote
// it), no merge commit (fast-forward, direct push, squash), edits after
// approval (a later direct commit), and — once the repository lists
// reviewers' keys in .opsbook/allowed_signers — unsigned merges, signatures
// that do not verify, and key-list changes no other listed reviewer signed
// (internal/signers), each with a rule id and a Chinese message. Every
// approval carries its strength: a verified signature, a trusted
// platform's signature, or only the committer name. WriteStatus and WriteAudit print them as a Chinese table, JSON,
// or (for the audit) GitHub/Gitea workflow annotations.
package approval
