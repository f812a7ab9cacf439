package checktest

import "os"

func ciMode() bool { v := os.Getenv("CI"); return v != "" && v != "false" && v != "0" }
