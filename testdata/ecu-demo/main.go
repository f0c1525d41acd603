// Command ecu-demo is a small in-vehicle service with planted leaks and net/http/pprof, used by leakhunt's tests
// and demo. It prints "listening on HOST:PORT" once it serves, so callers can use -addr 127.0.0.1:0.
//
// Planted behaviours (each rate is a flag; 0 disables it):
//   - can: CAN readers that block forever on an unplugged device's channel (goroutine leak, pprof label can_id);
//   - cache: a sync.Map storing unsafe.Pointer to an escaped local, never evicted (in-use heap leak);
//   - pool: a sync.Pool whose New retains every buffer it makes; pool.FixedNew is the fix, kept for hot patching;
//   - churn: allocation that is dropped right away (alloc_space grows, inuse_space flat);
//   - bounded: a cache that grows to -bounded-cap entries and plateaus.
//
// -mem-profile-rate sets runtime.MemProfileRate before anything allocates: 524288 (Go's default) samples one
// allocation per 512 KiB on average; 1 records every allocation (exact, slower), which tests use for determinism.
//
// Built with GOEXPERIMENT=goroutineleakprofile (Go 1.26), /debug/pprof/goroutineleak reports the CAN readers.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"example.com/ecu-demo/cache"
	"example.com/ecu-demo/can"
	"example.com/ecu-demo/churn"
	"example.com/ecu-demo/pool"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6060", "listen address for pprof and /state (use 127.0.0.1:0 for a free port)")
	memRate := flag.Int("mem-profile-rate", 512*1024, "runtime.MemProfileRate: bytes per heap profile sample (1 = every allocation)")
	canPerSec := flag.Float64("can-leak-per-sec", 5, "CAN readers started (and leaked) per second")
	mapBytes := flag.Int("map-leak-bytes-per-sec", 128<<10, "bytes per second stored in the never-evicted session sync.Map")
	poolGets := flag.Int("pool-gets-per-sec", 50, "sync.Pool Gets per second (half are never Put back, so New runs)")
	churnMB := flag.Int("churn-mb-per-sec", 16, "MiB per second allocated and dropped right away")
	boundedCap := flag.Int("bounded-cap", 2000, "entries (1 KiB each) the bounded cache holds before evicting")
	boundedRate := flag.Int("bounded-puts-per-sec", 200, "puts per second into the bounded cache")
	flag.Parse()
	runtime.MemProfileRate = *memRate

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ecu-demo:", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	bounded := cache.NewBounded(*boundedCap)
	go can.Run(ctx, *canPerSec)
	go cache.RunSessionCache(ctx, *mapBytes)
	go pool.Run(ctx, *poolGets)
	go churn.Run(ctx, *churnMB)
	go cache.RunBounded(ctx, bounded, *boundedRate)

	http.HandleFunc("/state", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(snapshot(bounded, *memRate))
	})
	srv := &http.Server{}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	fmt.Printf("listening on %s\n", ln.Addr())
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "ecu-demo:", err)
		os.Exit(1)
	}
}

// state is the /state document: counters that let tests verify each planted behaviour's effect.
type state struct {
	PID                int    `json:"pid"`
	MemProfileRate     int    `json:"mem_profile_rate"`
	Goroutines         int    `json:"goroutines"`
	CanReadersStarted  int64  `json:"can_readers_started"`
	CanReadersBlocked  int64  `json:"can_readers_blocked"`
	CanFramesRead      int64  `json:"can_frames_read"`
	MapEntries         int64  `json:"map_entries"`
	MapBytes           int64  `json:"map_bytes"`
	PoolGets           int64  `json:"pool_gets"`
	PoolMisses         int64  `json:"pool_misses"`
	PoolLeakyNewCalls  int64  `json:"pool_leaky_new_calls"`
	PoolFixedNewCalls  int64  `json:"pool_fixed_new_calls"`
	PoolRetained       int    `json:"pool_buffers_retained"`
	PoolNew            string `json:"pool_new"`
	PoolFixedAvailable bool   `json:"pool_fixed_new_available"`
	ChurnBytes         int64  `json:"churn_bytes"`
	BoundedSize        int    `json:"bounded_cache_size"`
	HeapAllocBytes     uint64 `json:"heap_alloc_bytes"`
}

func snapshot(bounded *cache.Bounded, memRate int) state {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	misses, leaky := pool.Misses.Load(), pool.LeakyNewCalls.Load()
	return state{
		PID:                os.Getpid(),
		MemProfileRate:     memRate,
		Goroutines:         runtime.NumGoroutine(),
		CanReadersStarted:  can.ReadersStarted.Load(),
		CanReadersBlocked:  can.ReadersBlocked.Load(),
		CanFramesRead:      can.FramesRead.Load(),
		MapEntries:         cache.SessionEntries.Load(),
		MapBytes:           cache.SessionBytes.Load(),
		PoolGets:           pool.Gets.Load(),
		PoolMisses:         misses,
		PoolLeakyNewCalls:  leaky,
		PoolFixedNewCalls:  max(0, misses-leaky),
		PoolRetained:       pool.Retained(),
		PoolNew:            pool.CurrentNew(),
		PoolFixedAvailable: pool.FixedNewAvailable(),
		ChurnBytes:         churn.Bytes.Load(),
		BoundedSize:        bounded.Len(),
		HeapAllocBytes:     ms.HeapAlloc,
	}
}
