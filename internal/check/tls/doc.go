// Package tls is the "tls" check type: the certificate a TLS service
// presents — its expiry, subject, issuer and names — and whether it verifies
// for the expected host name against the trusted roots.
//
// Parameters:
//
//	address               host:port (required), e.g. "share.example.gov.cn:443"
//	server_name           name to verify and send as SNI; default: the host of address
//	ca_file               PEM file of trusted roots (an internal CA); default: the
//	                      system roots. Relative paths are relative to the runner's
//	                      working directory (the repository root).
//	insecure_skip_verify  do not verify chain and host name (default false); expiry
//	                      is still checked, and the certificate still reported
//
// Placeholders:
//
//	CONNECTED       bool, the TCP connection was established
//	RESPONSE_TIME   time.Duration, connect + handshake
//	CERT_EXPIRY     time.Duration until the leaf certificate expires (negative once expired)
//	CERT_SUBJECT    string, the leaf's subject, e.g. "CN=share.example.gov.cn,O=…"
//	CERT_ISSUER     string, the leaf's issuer
//	CERT_DNS_NAMES  []any of strings, the leaf's DNS names
//	TLS_VERSION     string, "TLS 1.2", "TLS 1.3" …
//
// A chain or host-name verification failure is the observation's Err, with
// Security set for a host-name mismatch or an unknown authority (possibly an
// interception, not an outage). An expired or not-yet-valid certificate is
// an Err too, with CERT_EXPIRY still reported. TLS 1.0 and 1.1 are accepted
// so that TLS_VERSION can be observed; write a condition to reject them.
//
// Probe, LoadRoots and Explain are shared with the http check type.
package tls
