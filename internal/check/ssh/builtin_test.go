package ssh

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/internal/check/sshtest"
	"github.com/opsbook/opsbook/internal/condition"
)

// The sshd runs on this machine, so each built-in is compared with what
// the same probe reads locally.

func TestDiskBuiltin(t *testing.T) {
	s := sshtest.Start(t)
	obs := observe(t, spec(s, map[string]any{"builtin": "disk"}), 10*time.Second)
	if obs.Err != nil {
		t.Fatal(obs.Err)
	}
	out, err := exec.Command("df", "-P", "-k").Output()
	if err != nil {
		t.Fatal(err)
	}
	local, err := parseDF(string(out))
	if err != nil {
		t.Fatal(err)
	}
	disks := obs.Values["DISKS"].([]map[string]any)
	if len(disks) != len(local) {
		t.Fatalf("DISKS has %d entries, local df %d: %v", len(disks), len(local), disks)
	}
	localMax := 0.0
	for i, d := range local {
		localMax = max(localMax, d.usedPct)
		if disks[i]["mount"] != d.mount || disks[i]["size"] != d.size {
			t.Errorf("DISKS[%d] = %v, local %+v", i, disks[i], d)
		}
	}
	if got := obs.Values["MAX_USED_PCT"].(float64); math.Abs(got-localMax) > 1 {
		t.Errorf("MAX_USED_PCT = %v, local df says %v", got, localMax)
	}
	if _, ok := obs.Values["MAX_USED_MOUNT"].(string); !ok {
		t.Errorf("MAX_USED_MOUNT = %#v", obs.Values["MAX_USED_MOUNT"])
	}
	for _, k := range []string{"EXIT_CODE", "STDOUT"} {
		if _, ok := obs.Values[k]; ok {
			t.Errorf("builtin reports %s", k)
		}
	}
}

func TestMemoryBuiltin(t *testing.T) {
	s := sshtest.Start(t)
	obs := observe(t, spec(s, map[string]any{"builtin": "memory"}), 10*time.Second)
	if obs.Err != nil {
		t.Fatal(obs.Err)
	}
	raw, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		t.Fatal(err)
	}
	local := map[string]any{}
	if err := parseMeminfo(string(raw), local); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"MEM_TOTAL", "SWAP_TOTAL"} {
		if obs.Values[k] != local[k] {
			t.Errorf("%s = %v, local %v", k, obs.Values[k], local[k])
		}
	}
	for _, k := range []string{"MEM_USED_PCT", "SWAP_USED_PCT"} {
		v, ok := obs.Values[k].(float64)
		if !ok || v < 0 || v > 100 {
			t.Errorf("%s = %#v", k, obs.Values[k])
		}
	}
}

func TestLoadBuiltin(t *testing.T) {
	s := sshtest.Start(t)
	obs := observe(t, spec(s, map[string]any{"builtin": "load"}), 10*time.Second)
	if obs.Err != nil {
		t.Fatal(obs.Err)
	}
	out, err := exec.Command("nproc").Output()
	if err != nil {
		t.Fatal(err)
	}
	cpus, _ := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if obs.Values["CPUS"] != cpus {
		t.Errorf("CPUS = %v, local nproc %d", obs.Values["CPUS"], cpus)
	}
	load5 := obs.Values["LOAD5"].(float64)
	if per := obs.Values["LOAD_PER_CPU"].(float64); math.Abs(per-load5/float64(cpus)) > 0.01 {
		t.Errorf("LOAD_PER_CPU = %v, LOAD5/CPUS = %v", per, load5/float64(cpus))
	}
	for _, k := range []string{"LOAD1", "LOAD15"} {
		if v, ok := obs.Values[k].(float64); !ok || v < 0 {
			t.Errorf("%s = %#v", k, obs.Values[k])
		}
	}
}

// fakeSystemctl puts a systemctl on the sessions' PATH that behaves like
// the real one for three units, since this machine runs no systemd.
func fakeSystemctl(t *testing.T) *sshtest.Server {
	bin := t.TempDir()
	script := `#!/bin/sh
[ "$1" = is-active ] || exit 2
case "$2" in
exchange) echo active ;;
portal) echo inactive; exit 3 ;;
broken) echo "Failed to connect to bus: No such file or directory" >&2; exit 1 ;;
*) echo unknown; exit 3 ;;
esac
`
	if err := os.WriteFile(filepath.Join(bin, "systemctl"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return sshtest.Start(t, sshtest.WithEnv("PATH", bin+":/usr/bin:/bin"))
}

func TestServiceBuiltin(t *testing.T) {
	s := fakeSystemctl(t)
	for _, tc := range []struct {
		unit, state string
		active      bool
	}{{"exchange", "active", true}, {"portal", "inactive", false}} {
		obs := observe(t, spec(s, map[string]any{"builtin": "service", "service": tc.unit}), 10*time.Second)
		if obs.Err != nil {
			t.Fatalf("%s: %v", tc.unit, obs.Err)
		}
		if obs.Values["SERVICE_STATE"] != tc.state || obs.Values["SERVICE_ACTIVE"] != tc.active {
			t.Errorf("%s: %v", tc.unit, obs.Values)
		}
	}
	obs := observe(t, spec(s, map[string]any{"builtin": "service", "service": "broken"}), 10*time.Second)
	if obs.Err == nil || !strings.Contains(obs.Err.Error(), "Failed to connect to bus") {
		t.Errorf("systemctl failing: Err = %v", obs.Err)
	}
}

// TestServiceBuiltinRealSystemctl asks this machine's own systemctl about a
// unit that does not exist: with systemd running that is "inactive"; in a
// container without systemd, systemctl cannot answer and the check must
// say so rather than report a state.
func TestServiceBuiltinRealSystemctl(t *testing.T) {
	if _, err := exec.LookPath("systemctl"); err != nil {
		t.Skip("no systemctl on this machine; TestServiceBuiltin covers the parsing")
	}
	s := sshtest.Start(t)
	obs := observe(t, spec(s, map[string]any{"builtin": "service", "service": "opsbook-no-such-unit"}), 10*time.Second)
	if obs.Err != nil {
		t.Log(obs.Err)
		if !strings.Contains(obs.Err.Error(), "无法查询服务") {
			t.Errorf("Err = %v", obs.Err)
		}
		return
	}
	if obs.Values["SERVICE_ACTIVE"] != false || obs.Values["SERVICE_STATE"] == "active" {
		t.Errorf("a missing unit reported as %v", obs.Values)
	}
}

func TestParseDF(t *testing.T) {
	out := `Filesystem     1024-blocks      Used Available Capacity Mounted on
/dev/sda1         51474912  40123456   8713200      83% /
tmpfs              8000000      1000   7999000       1% /run
/dev/sdb1        103081248  92000000   5825424      95% /data/oracle backup
//nas/share one  10000000   1000000   9000000      10% /mnt/nas
/dev/loop3           56832     56832         0     100% /snap/core/123
overlay           51474912  40123456   8713200      83% /var/lib/docker/overlay2/abc/merged
sysfs                    0         0         0       -  /sys
`
	disks, err := parseDF(out)
	if err != nil {
		t.Fatal(err)
	}
	var mounts []string
	for _, d := range disks {
		mounts = append(mounts, d.mount)
	}
	if got := strings.Join(mounts, "|"); got != "/|/data/oracle backup|/mnt/nas" {
		t.Fatalf("mounts %q", got)
	}
	if disks[2].filesystem != "//nas/share one" || disks[1].size != condition.Size(103081248*1024) || disks[1].avail != condition.Size(5825424*1024) {
		t.Errorf("parsed %+v", disks)
	}
	values := map[string]any{}
	setDisks(disks, values)
	if values["MAX_USED_PCT"] != 95.0 || values["MAX_USED_MOUNT"] != "/data/oracle backup" {
		t.Errorf("max %v at %v", values["MAX_USED_PCT"], values["MAX_USED_MOUNT"])
	}
	if _, err := parseDF("sh: df: not found"); err == nil {
		t.Error("garbage accepted")
	}
}

func TestParseMeminfoWithoutMemAvailable(t *testing.T) {
	values := map[string]any{}
	err := parseMeminfo("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 100 kB\nSwapTotal: 400 kB\nSwapFree: 300 kB\n", values)
	if err != nil {
		t.Fatal(err)
	}
	if values["MEM_USED_PCT"] != 75.0 || values["SWAP_USED_PCT"] != 25.0 || values["MEM_AVAILABLE"] != condition.Size(250*1024) {
		t.Errorf("values %v", values)
	}
	if err := parseMeminfo("nothing here", map[string]any{}); err == nil {
		t.Error("garbage accepted")
	}
}

func TestParseLoad(t *testing.T) {
	values := map[string]any{}
	if err := parseLoad("1.50 3.00 2.25 2/345 12345\n4\n", values); err != nil {
		t.Fatal(err)
	}
	if values["LOAD1"] != 1.5 || values["LOAD15"] != 2.25 || values["CPUS"] != int64(4) || values["LOAD_PER_CPU"] != 0.75 {
		t.Errorf("values %v", values)
	}
	for _, bad := range []string{"", "1.0 2.0 3.0 1/1 1\n", "x y z\n4\n", "1 2 3 1/1 1\n0\n"} {
		if err := parseLoad(bad, map[string]any{}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
