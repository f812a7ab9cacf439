// Package dns is the "dns" check type: one query to a named DNS server,
// its response code and answers. The server is always explicit — the
// system resolver is never used — so the check says which server is wrong.
//
// Parameters:
//
//	server       host:port of the DNS server (required), e.g. "10.32.0.53:53";
//	             the port defaults to 53
//	query        the name to look up (required), e.g. "share.example.gov.cn"
//	record_type  A (default), AAAA, CNAME, MX, TXT or NS
//	protocol     udp (default) or tcp; a truncated UDP answer is retried over TCP
//
// Placeholders:
//
//	RCODE          string, the response code: NOERROR, NXDOMAIN, SERVFAIL …
//	ANSWERS        []any of strings, the answers of the asked type: addresses for
//	               A/AAAA, names (without the trailing dot) for CNAME/NS,
//	               "10 mail.example.gov.cn" for MX, the joined text for TXT
//	ANSWER_COUNT   int64, len(ANSWERS)
//	RESPONSE_TIME  time.Duration, the query's round trip
//	CONNECTED      bool, the server answered (udp) or accepted the connection (tcp)
//
// Any response code other than NOERROR is the observation's Err (NXDOMAIN:
// the name does not exist). NOERROR without answers of the asked type is not
// an error; test it with a condition such as "[ANSWER_COUNT] > 0".
package dns
