// Package publish puts a built site (public/) on a web server so that its
// readers never see a half-published site.
//
// A target is either an SFTP URL (sftp://user@host[:port]/path, host keys
// verified against known_hosts, login by key file or ssh-agent) or a local
// directory (a web root on this machine). Either way the layout is
//
//	path                      symbolic link → path.releases/<release>
//	path.releases/<release>/  one complete copy of the site per publish
//
// Publish uploads the site into path.releases/<release>.partial (invisible
// to readers: nothing points there), renames it to <release> once every
// file is written, then switches: it creates a new symbolic link under a
// temporary name next to path and renames it over path — rename(2) locally,
// posix-rename@openssh.com over SFTP — so a reader resolving path gets the
// complete old release or the complete new one, never a mix. Afterwards
// it keeps the newest Keep releases and deletes older ones and leftovers of
// interrupted runs. A lock directory (path.releases/.publish.lock) keeps two
// publishes of the same target from interleaving.
//
// The link is relative (name.releases/<release>), so it stays valid in an
// SFTP chroot and when the web root is mounted elsewhere. The first publish
// to a path that is a real directory refuses and says how to move it aside.
//
// ParseTarget refuses "." and ".." path segments, also percent-encoded,
// rather than cleaning them away. FindRestricted lists the restricted
// content present in a built site (pages marked restricted and their
// attachments, restricted search indexes), which opsbook publish refuses
// to put on a plain web server.
package publish
