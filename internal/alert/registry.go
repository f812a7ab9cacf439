package alert

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"

	"github.com/opsbook/opsbook/internal/registry"
)

// Notifier delivers events to one channel.
type Notifier interface {
	Name() string
	// Notify sends e once. Errors say what failed without secrets; a
	// transient one (see Retryable) may be retried by the caller.
	Notify(ctx context.Context, e Event) error
}

// Factory builds a notifier from its configuration, validating it without
// doing any I/O.
type Factory func(c *Config) (Notifier, error)

// Type describes a registered notifier type.
type Type struct {
	Name  string // the `type:` value, e.g. wecom
	Label string // Chinese name, e.g. 企业微信群机器人
	New   Factory
}

var types = registry.New[Type]("alert type")

// Register adds a notifier type. It panics on a duplicate, a programming
// error.
func Register(t Type) { types.Register(t.Name, t) }

// Lookup returns the registered type named name.
func Lookup(name string) (Type, bool) { return types.Lookup(name) }

// Types lists the registered type names, sorted.
func Types() []string { return types.Names() }

// New builds the notifier an alert entry describes, e.g.
// {type: wecom, webhook: https://…}. It does no I/O.
func New(cfg map[string]any) (Notifier, error) {
	typ, ok := cfg["type"].(string)
	if !ok || typ == "" {
		return nil, &ConfigError{Field: "type", Msg: fmt.Sprintf("必填，可选：%v", Types())}
	}
	t, ok := Lookup(typ)
	if !ok {
		return nil, &ConfigError{Field: "type", Msg: fmt.Sprintf("未知的告警类型 %q；可选：%v", typ, Types())}
	}
	return t.New(newConfig(typ, cfg))
}

// NewAll builds the notifiers of an `alerts:` list. Entries without a name
// are named after their type, numbered from the second of a type on
// (wecom, wecom-2 …); errors name the entry as alerts[i].
func NewAll(cfgs []map[string]any) ([]Notifier, error) {
	var (
		out  []Notifier
		errs []error
		seen = map[string]int{}
	)
	for i, cfg := range cfgs {
		if typ, ok := cfg["type"].(string); ok {
			if _, named := cfg["name"]; !named {
				seen[typ]++
				if seen[typ] > 1 {
					cfg = maps.Clone(cfg)
					cfg["name"] = typ + "-" + strconv.Itoa(seen[typ])
				}
			}
		}
		n, err := New(cfg)
		if err != nil {
			errs = append(errs, fmt.Errorf("alerts[%d]：%w", i, err))
			continue
		}
		out = append(out, n)
	}
	return out, errors.Join(errs...)
}
