package runner_test

import (
	"os"

	_ "github.com/opsbook/opsbook/internal/check/all" // every check type
	"github.com/opsbook/opsbook/internal/secret"
)

func secretSource(env func(string) (string, bool)) secret.Source {
	return secret.Source{Env: env, ReadFile: os.ReadFile}
}
