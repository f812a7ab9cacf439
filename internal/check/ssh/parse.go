package ssh

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/opsbook/opsbook/internal/condition"
)

type disk struct {
	filesystem, mount string
	usedPct           float64
	size, avail       condition.Size
}

// parseDF reads POSIX "df -P -k" output. Mount points (and file system
// names) may contain spaces, so each line is anchored on its capacity
// column: the first "NN%" preceded by three numbers.
func parseDF(out string) ([]disk, error) {
	var disks []disk
	sawHeader := false
	for line := range strings.SplitSeq(out, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if f[0] == "Filesystem" {
			sawHeader = true
			continue
		}
		i := capacityColumn(f)
		if i < 0 {
			continue
		}
		blocks, _ := strconv.ParseInt(f[i-3], 10, 64)
		avail, _ := strconv.ParseInt(f[i-1], 10, 64)
		pct, _ := strconv.ParseFloat(strings.TrimSuffix(f[i], "%"), 64)
		d := disk{
			filesystem: strings.Join(f[:i-3], " "),
			mount:      strings.Join(f[i+1:], " "),
			usedPct:    pct,
			size:       condition.Size(blocks * 1024),
			avail:      condition.Size(avail * 1024),
		}
		if blocks == 0 || ignoredDisk(d) {
			continue
		}
		disks = append(disks, d)
	}
	if !sawHeader {
		return nil, errors.New("df 的输出不是预期的 POSIX 格式（缺少 Filesystem 表头）")
	}
	if len(disks) == 0 {
		return nil, errors.New("df 没有列出任何需要检查的文件系统")
	}
	return disks, nil
}

func capacityColumn(f []string) int {
	for i := 4; i < len(f)-1; i++ {
		if !strings.HasSuffix(f[i], "%") {
			continue
		}
		if _, err := strconv.ParseUint(strings.TrimSuffix(f[i], "%"), 10, 8); err != nil {
			continue
		}
		if isUint(f[i-1]) && isUint(f[i-2]) && isUint(f[i-3]) {
			return i
		}
	}
	return -1
}

func isUint(s string) bool { _, err := strconv.ParseUint(s, 10, 64); return err == nil }

// ignoredDisk leaves out memory-backed and virtual file systems, read-only
// snap images (always 100 %) and container storage, which repeats the
// usage of the disk below it.
func ignoredDisk(d disk) bool {
	switch d.filesystem {
	case "tmpfs", "devtmpfs", "udev", "shm", "none", "proc", "sysfs", "cgroup", "cgroup2":
		return true
	}
	for _, prefix := range []string{"/dev", "/proc", "/sys", "/run", "/snap", "/var/lib/docker/", "/var/lib/containers/", "/var/lib/kubelet/"} {
		if d.mount == prefix || strings.HasPrefix(d.mount, strings.TrimSuffix(prefix, "/")+"/") {
			return true
		}
	}
	return false
}

func setDisks(disks []disk, values map[string]any) {
	list := make([]map[string]any, 0, len(disks))
	maxIdx := 0
	for i, d := range disks {
		if d.usedPct > disks[maxIdx].usedPct {
			maxIdx = i
		}
		list = append(list, map[string]any{
			"mount":      d.mount,
			"filesystem": d.filesystem,
			"used_pct":   d.usedPct,
			"size":       d.size,
			"avail":      d.avail,
		})
	}
	values["DISKS"] = list
	values["MAX_USED_PCT"] = disks[maxIdx].usedPct
	values["MAX_USED_MOUNT"] = disks[maxIdx].mount
}

// parseMeminfo reads /proc/meminfo ("MemTotal:  16303412 kB").
func parseMeminfo(out string, values map[string]any) error {
	kb := map[string]int64{}
	for line := range strings.SplitSeq(out, "\n") {
		name, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			continue
		}
		if n, err := strconv.ParseInt(f[0], 10, 64); err == nil {
			kb[name] = n
		}
	}
	total := kb["MemTotal"]
	if total <= 0 {
		return errors.New("/proc/meminfo 中没有 MemTotal")
	}
	avail, ok := kb["MemAvailable"]
	if !ok { // kernels before 3.14
		avail = kb["MemFree"] + kb["Buffers"] + kb["Cached"]
	}
	values["MEM_TOTAL"] = condition.Size(total * 1024)
	values["MEM_AVAILABLE"] = condition.Size(avail * 1024)
	values["MEM_USED_PCT"] = round2(100 * float64(total-avail) / float64(total))
	swap := kb["SwapTotal"]
	values["SWAP_TOTAL"] = condition.Size(swap * 1024)
	values["SWAP_USED_PCT"] = 0.0
	if swap > 0 {
		values["SWAP_USED_PCT"] = round2(100 * float64(swap-kb["SwapFree"]) / float64(swap))
	}
	return nil
}

// parseLoad reads "0.52 0.58 0.59 1/345 12345" and then the CPU count.
func parseLoad(out string, values map[string]any) error {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 2 {
		return fmt.Errorf("输出应有两行（/proc/loadavg 与 CPU 核数），实际：%q", out)
	}
	f := strings.Fields(lines[0])
	if len(f) < 3 {
		return fmt.Errorf("无法解析 /proc/loadavg：%q", lines[0])
	}
	var load [3]float64
	for i := range load {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return fmt.Errorf("无法解析 /proc/loadavg：%q", lines[0])
		}
		load[i] = v
	}
	cpus, err := strconv.ParseInt(strings.TrimSpace(lines[len(lines)-1]), 10, 64)
	if err != nil || cpus <= 0 {
		return fmt.Errorf("无法解析 CPU 核数：%q", lines[len(lines)-1])
	}
	values["LOAD1"], values["LOAD5"], values["LOAD15"] = load[0], load[1], load[2]
	values["CPUS"] = cpus
	values["LOAD_PER_CPU"] = round2(load[1] / float64(cpus))
	return nil
}

func round2(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', 2, 64), 64)
	return r
}
