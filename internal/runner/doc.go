// Package runner executes a runbook: it expands secrets in memory, builds a
// checker per check, runs them concurrently with per-check timeouts and
// re-checks of failures, evaluates conditions, and turns the results into
// records — one inspection per run, an anomaly when a check goes from
// passing to failing, a recovery note when it passes again — written
// atomically and committed (and pushed) with git. Every string that leaves
// the runner is redacted of secret values.
package runner
