// Command leak-targets runs leak shapes that the demo ECU service does not have, each with a known verdict, for
// leakhunt's end-to-end tests. It serves net/http/pprof and prints "listening on HOST:PORT".
//
// Shapes (all run at once; each is its own allocation site or goroutine group, marked with
// `// leakhunt:planted ID` comments so tests find their lines):
//   - slow: a slow heap leak (slow-leak-alloc), 32 KiB/s of small records: leak with exact profiling;
//   - hidden: a large heap loaded once (hidden-big-alloc, stable) with a small leak beside it (hidden-leak-alloc);
//   - wave: a worker pool that grows and shrinks (wave-worker-block): never a leak;
//   - mutex: goroutines piling up on a mutex that is never released (mutex-block): leak;
//   - plateau: a cache that fills to its cap within seconds, then evicts (plateau-alloc): not a leak;
//   - churn: short-lived buffers (churn-alloc): alloc_space grows fast, in-use stays flat; never a leak.
//
// Heap profiles only change when a GC completes. With the 128 MiB stable heap and GOGC=100 the next GC waits for
// another 128 MiB of allocation, so the tests lower -gc-percent; a collector can also ask for heap?gc=1.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	memRate := flag.Int("mem-profile-rate", 1, "runtime.MemProfileRate (1 = every allocation)")
	bigMiB := flag.Int("big-mib", 128, "MiB of the large stable heap of the hidden shape")
	gcPercent := flag.Int("gc-percent", 100, "debug.SetGCPercent: with a large stable heap, GOGC=100 runs a GC only after as much again is allocated")
	churnMiB := flag.Int("churn-mib-per-sec", 16, "MiB per second allocated and dropped at once (keeps the GC, and so the heap profile, moving)")
	flag.Parse()
	runtime.MemProfileRate = *memRate
	debug.SetGCPercent(*gcPercent)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "leak-targets:", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	loadBig(*bigMiB)
	go slowLeak(ctx)
	go hiddenLeak(ctx)
	go wavePool(ctx)
	go mutexPileUp(ctx)
	go plateauCache(ctx)
	go churn(ctx, *churnMiB)

	srv := &http.Server{}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	fmt.Printf("listening on %s\n", ln.Addr())
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "leak-targets:", err)
		os.Exit(1)
	}
}
