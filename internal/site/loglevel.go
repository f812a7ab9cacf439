package site

import "github.com/bep/logg"

func logLevelWarn() logg.Level { return logg.LevelWarn }
