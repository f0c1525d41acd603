// Command hotpatch-target runs a leaking sync.Pool (bufs.Pool) and serves /state; leakhunt's hot patch tests attach
// Delve to it. It prints "listening on HOST:PORT" once it serves.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"reflect"
	"runtime"
	"time"

	"example.com/hotpatch-target/bufs"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	getsPerSec := flag.Int("gets-per-sec", 100, "Pool.Get calls per second, never Put back")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go func() {
		t := time.NewTicker(10 * time.Millisecond)
		for range t.C {
			for i := 0; i < *getsPerSec/100; i++ {
				_ = bufs.Pool.Get().(*[]byte)
			}
		}
	}()
	http.HandleFunc("/state", func(w http.ResponseWriter, _ *http.Request) {
		name := ""
		if f := runtime.FuncForPC(reflect.ValueOf(bufs.Pool.New).Pointer()); f != nil {
			name = f.Name()
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"pid": os.Getpid(), "retained": bufs.Retained(), "leaky_calls": bufs.LeakyCalls.Load(),
			"pool_new": name, "candidates": len(bufs.All), "heavy": len(bufs.Heavy()),
		})
	})
	fmt.Printf("listening on %s\n", ln.Addr())
	_ = http.Serve(ln, nil)
}
