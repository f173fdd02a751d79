package api

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// metrics is GET /metrics's body (E2B's field names).
type metrics struct {
	Timestamp   int64   `json:"ts"`
	CPUCount    int     `json:"cpu_count"`
	CPUUsedPct  float64 `json:"cpu_used_pct"`
	MemTotal    uint64  `json:"mem_total"`
	MemUsed     uint64  `json:"mem_used"`
	MemCache    uint64  `json:"mem_cache"`
	MemTotalMiB uint64  `json:"mem_total_mib"`
	MemUsedMiB  uint64  `json:"mem_used_mib"`
	DiskUsed    uint64  `json:"disk_used"`
	DiskTotal   uint64  `json:"disk_total"`
}

// cpuSampler remembers the last /proc/stat reading so usage is over the interval
// between two calls.
var cpuSampler struct {
	sync.Mutex
	busy, total uint64
}

func readMetrics() metrics {
	m := metrics{Timestamp: time.Now().Unix(), CPUCount: runtime.NumCPU()}
	m.CPUUsedPct = cpuUsedPct()
	mem := meminfo()
	m.MemTotal = mem["MemTotal"]
	m.MemCache = mem["Cached"] + mem["Buffers"]
	if avail, ok := mem["MemAvailable"]; ok && avail <= m.MemTotal {
		m.MemUsed = m.MemTotal - avail
	}
	m.MemTotalMiB, m.MemUsedMiB = m.MemTotal>>20, m.MemUsed>>20
	var st unix.Statfs_t
	if unix.Statfs("/", &st) == nil {
		bs := uint64(st.Bsize)
		m.DiskTotal = st.Blocks * bs
		m.DiskUsed = (st.Blocks - st.Bfree) * bs
	}
	return m
}

// meminfo returns /proc/meminfo in bytes.
func meminfo() map[string]uint64 {
	out := map[string]uint64{}
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			continue
		}
		v, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil {
			continue
		}
		if len(fields) > 1 && fields[1] == "kB" {
			v <<= 10
		}
		out[name] = v
	}
	return out
}

func cpuUsedPct() float64 {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(line)
	if len(fields) < 5 || fields[0] != "cpu" {
		return 0
	}
	var total, idle uint64
	for i, f := range fields[1:] {
		v, _ := strconv.ParseUint(f, 10, 64)
		total += v
		if i == 3 || i == 4 { // idle, iowait
			idle += v
		}
	}
	busy := total - idle
	cpuSampler.Lock()
	defer cpuSampler.Unlock()
	dBusy, dTotal := busy-cpuSampler.busy, total-cpuSampler.total
	cpuSampler.busy, cpuSampler.total = busy, total
	if dTotal == 0 {
		return 0
	}
	return float64(int(float64(dBusy)/float64(dTotal)*10000)) / 100
}
