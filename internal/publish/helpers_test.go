package publish

import (
	"encoding/pem"
	"strconv"
)

func itoa(n int) string { return strconv.Itoa(n) }

func pemEncode(b *pem.Block) []byte { return pem.EncodeToMemory(b) }
