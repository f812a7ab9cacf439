// Package http is the "http" check type: one HTTP(S) request, its status,
// timing, headers, body and — over HTTPS — the server certificate's expiry.
//
// Parameters:
//
//	url                   http:// or https:// URL (required). user:pass@ in it is
//	                      sent as basic auth; neither the userinfo nor the query
//	                      string ever appears in messages or values.
//	method                GET (default), HEAD, POST, PUT, PATCH, DELETE or OPTIONS
//	headers               request headers, e.g. {Authorization: "Bearer ${TOKEN}"};
//	                      a Host header also becomes the TLS server name
//	body                  request body text
//	basic_auth            {username: …, password: …}; not together with user:pass@
//	ca_file               PEM file of trusted roots (an internal CA) instead of the
//	                      system roots; relative to the runner's working directory
//	insecure_skip_verify  accept any certificate (default false)
//	follow_redirects      follow up to 10 redirects (default true); false reports
//	                      the redirect itself (STATUS 301/302, HEADERS.Location)
//	max_body              read at most this much of the body: bytes, or "64KB",
//	                      "1MB", "1MiB" (K/M/G are powers of 1024); default 1 MiB.
//	                      Nothing beyond it is read.
//
// Placeholders:
//
//	STATUS         int64, the final response's status code
//	RESPONSE_TIME  time.Duration, from sending the request until the body (up to
//	               max_body) was read
//	BODY           string, at most max_body bytes, decoded to UTF-8 when the
//	               Content-Type names another charset (GBK, GB18030 …)
//	HEADERS        map[string]any, canonical header name → values joined by ", ";
//	               Set-Cookie values are hidden (name=***)
//	CERT_EXPIRY    time.Duration until the server's leaf certificate expires
//	               (https only; negative once expired)
//	CONNECTED      bool, a TCP connection to the server was established
//
// Any response is an observation — a 500 is STATUS 500, not an error; the
// conditions decide. Err is set when no response could be had or its body
// could not be read in time, with Security set for a certificate that does not
// match the host name or comes from an unknown authority. Proxy environment
// variables are ignored: checks connect directly. Every string in Err and in
// the values is scrubbed of the URL's credentials and query values, in case a
// server echoes them.
package http
