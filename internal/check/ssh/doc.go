// Package ssh is the "ssh" check type: it logs in to a host over SSH
// (host key verified against known_hosts, see package sshconn) and either
// runs a command or one of the built-in probes, turning what it saw into
// placeholders for conditions.
//
// Parameters, besides the connection ones of sshconn (address, user,
// password, private_key_file, passphrase, known_hosts):
//
//	command   a command line run by the remote user's shell, e.g.
//	          "systemctl is-active exchange"
//	builtin   disk | memory | load | service (instead of command)
//	service   the unit name for builtin: service, e.g. exchange or nginx.service
//
// Placeholders always set: CONNECTED (bool, logged in), RESPONSE_TIME
// (time.Duration of the whole check: connect, log in, run).
//
// command: EXIT_CODE (int64; -1 when killed by a signal), STDOUT and STDERR
// (strings with surrounding white space trimmed, at most 64 KiB each —
// more is cut off). A non-zero exit code is a value for conditions, not an
// error.
//
// builtin disk ("df -P -k"; tmpfs/devtmpfs and mounts under /dev, /proc,
// /sys, /run, /snap and container storage are left out): MAX_USED_PCT
// (float64, the fullest file system's use as df shows it), MAX_USED_MOUNT
// (its mount point), DISKS ([]map: mount, filesystem, used_pct float64,
// size and avail Size).
//
// builtin memory (/proc/meminfo): MEM_USED_PCT (float64, 100 × (MemTotal −
// MemAvailable) / MemTotal), SWAP_USED_PCT (float64, 0 without swap),
// MEM_TOTAL, MEM_AVAILABLE, SWAP_TOTAL (Size).
//
// builtin load (/proc/loadavg and nproc): LOAD1, LOAD5, LOAD15 (float64),
// CPUS (int64), LOAD_PER_CPU (float64, LOAD5 / CPUS — the 5-minute average,
// steadier than the 1-minute one for an inspection).
//
// builtin service ("systemctl is-active <service>"): SERVICE_STATE (string:
// active, inactive, failed, activating …), SERVICE_ACTIVE (bool). A host
// where systemctl cannot answer is an error, not "inactive".
package ssh
