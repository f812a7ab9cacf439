// Package all registers every check type; import it for its side effects.
package all

import (
	_ "github.com/opsbook/opsbook/internal/check/dns"
	_ "github.com/opsbook/opsbook/internal/check/exec"
	_ "github.com/opsbook/opsbook/internal/check/http"
	_ "github.com/opsbook/opsbook/internal/check/sftp"
	_ "github.com/opsbook/opsbook/internal/check/sql"
	_ "github.com/opsbook/opsbook/internal/check/ssh"
	_ "github.com/opsbook/opsbook/internal/check/tcp"
	_ "github.com/opsbook/opsbook/internal/check/tls"
)
