// Command goroutineleak-gen leaks goroutines on unreachable channels and writes the Go 1.26 goroutine leak profile
// (build with GOEXPERIMENT=goroutineleakprofile) as debug=0, debug=1 and debug=2 into OUTDIR, plus a plain goroutine
// debug=2 dump with a goroutine locked to its thread. Usage: goroutineleak-gen OUTDIR.
package main

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"
)

//go:noinline
func leakSender() {
	ch := make(chan int)
	go func() { ch <- 1 }() // blocks forever: nobody can ever receive from ch
}

//go:noinline
func lockedWaiter(block chan struct{}) {
	runtime.LockOSThread()
	<-block
}

func main() {
	for i := 0; i < 3; i++ {
		leakSender()
	}
	block := make(chan struct{})
	go lockedWaiter(block)
	time.Sleep(200 * time.Millisecond)
	dir := os.Args[1]
	write := func(profile, name string, debug int) {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			panic(err)
		}
		if err := pprof.Lookup(profile).WriteTo(f, debug); err != nil {
			panic(err)
		}
		f.Close()
	}
	write("goroutineleak", "leak.debug0.pb.gz", 0)
	write("goroutineleak", "leak.debug1.txt", 1)
	write("goroutineleak", "leak.debug2.txt", 2)
	close(block)
}
