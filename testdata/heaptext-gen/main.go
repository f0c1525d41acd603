// Command heaptext-gen writes the same heap profile twice, as debug=0 (proto) and debug=1 (text), so that tests can
// check that leakhunt's text parser gives the same values as the runtime's proto writer. Usage: heaptext-gen OUTDIR.
package main

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
)

var retained [][]byte

//go:noinline
func smallObjects(n int) {
	for i := 0; i < n; i++ {
		retained = append(retained, make([]byte, 96))
	}
}

//go:noinline
func bigObjects(n int) {
	for i := 0; i < n; i++ {
		retained = append(retained, make([]byte, 40000))
	}
}

//go:noinline
func garbage(n int) {
	for i := 0; i < n; i++ {
		b := make([]byte, 1000)
		b[0] = byte(i)
	}
}

func main() {
	runtime.MemProfileRate = 4096
	smallObjects(20000)
	bigObjects(50)
	garbage(30000)
	// The heap profile is published at the end of a GC cycle; with GC then turned off nothing changes it between the
	// two writes below, so both describe the same records.
	runtime.GC()
	runtime.GC()
	debug.SetGCPercent(-1)
	dir := os.Args[1]
	for _, d := range []int{0, 1} {
		name := map[int]string{0: "heap.pb.gz", 1: "heap.txt"}[d]
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			panic(err)
		}
		if err := pprof.Lookup("heap").WriteTo(f, d); err != nil {
			panic(err)
		}
		f.Close()
	}
	runtime.KeepAlive(retained)
}
