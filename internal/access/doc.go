// Package access serves a built site (public/) with sign-in and per-path
// authorisation: `opsbook site serve --access FILE`.
//
// # Who is asking
//
// An Identity comes from one of two places:
//
//   - a session cookie set by the sign-in page (/_access/login) after the
//     user's password matched its bcrypt hash in the access file. The cookie
//     carries only a random session id, HMAC-SHA256 signed with the session
//     secret (from the file, or generated once and kept in a 0600 file
//     beside it); it is HttpOnly, SameSite=Strict and Secure unless the file
//     turns that off. The server keeps the sessions in memory (sessions.go:
//     user, expiry, a fingerprint of the user's password entry; bounded,
//     oldest first out): signing out ends the session for good, removing a
//     user or changing their password ends theirs, and a restart ends all.
//     Group memberships are read from the file on every request, never
//     kept with the session.
//   - a trusted header (trusted_header, e.g. X-Remote-User, and optionally
//     groups_header) set by the organisation's single sign-on proxy. It is
//     believed only on requests whose peer address is in trusted_proxies;
//     from anywhere else it is ignored.
//
// Nobody signed in is anonymous.
//
// # What they may read (Policy.Decide)
//
// Paths are the site-relative files served ("index.html",
// "document/DOC-2026-001/index.html", "search/index/p/3.txt").
//
//  1. Paths under a prefix of the site's restricted manifest
//     (public/_access/restricted.json, written by internal/site: restricted
//     record pages, their attachments and the per-project search indexes
//     search-restricted/<project>/) belong to a project; only members of
//     one of the groups the access file's projects section grants that
//     project may read them. A project the file does not list is denied to
//     everyone; anonymous users never see restricted paths. Rules cannot
//     open them.
//  2. Other paths matching an anonymous pattern are open to everyone.
//  3. Otherwise the first rule whose pattern matches decides: its groups
//     ("*" is any signed-in user), or anonymous: true.
//  4. A path no rule matches is denied.
//
// Patterns are github.com/bmatcuk/doublestar/v4 globs over the file path.
//
// # Requests
//
// Request paths are checked before anything is opened: percent-encoded
// slashes, backslashes and NULs, double encoding, "." and ".." segments,
// empty segments (absolute paths smuggled as //etc/passwd), control
// characters and dot files are refused with 400. Files are opened through an
// os.Root on the site directory, and a path through a symbolic link inside
// it is refused too, so nothing outside public/ is ever read. The root is
// reopened for every request, so a rebuild that swaps public/ is served at
// once, and the manifest is read through the same root as the file.
//
// Reserved paths: /_access/login (GET form, POST sign-in; CSRF-protected by
// a signed double-submit token and Sec-Fetch-Site), /_access/logout,
// /_access/search.json (the restricted search indexes the caller may read,
// fetched by the search client) and /_access/whoami.json. Everything else
// under /_access/, the manifest included, is never served.
//
// Sign-in attempts are rate-limited per client address (attempts per
// minute, 429 with Retry-After; a successful sign-in gives its attempt
// back) and failures lock the user name — also one
// that does not exist — and the address out for a configurable time after
// N failures; every failure is answered after a delay.
//
// Every request is written to the access log as one JSON line: time, user,
// ip, method, path, status, decision (allow, deny, login, bad-path,
// not-found, signed-in, sign-in-failed, locked, rate-limited, signed-out).
//
// Redirects are relative, so the site can sit under any path prefix of the
// intranet web server in front of it.
package access
