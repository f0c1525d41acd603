// Command pprof-prefix-demo is a small Go service that mounts net/http/pprof under a non-default prefix
// (/internal/pprof/) and publishes expvar at /debug/vars, as some production services do. leakhunt's tests use it to
// check the configurable pprof prefix and the /debug/vars fetch against a real Go server.
package main

import (
	"expvar"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"time"
)

var (
	requests = expvar.NewInt("leakhunt_demo_ticks")
	retained [][]byte
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()

	mux := http.NewServeMux()
	// pprof.Index only serves named profiles under /debug/pprof/, so a service that mounts pprof elsewhere
	// registers each profile's handler itself.
	for _, name := range []string{"heap", "allocs", "goroutine", "goroutineleak", "block", "mutex", "threadcreate"} {
		mux.Handle("/internal/pprof/"+name, pprof.Handler(name))
	}
	mux.HandleFunc("/internal/pprof/profile", pprof.Profile)
	mux.Handle("/debug/vars", expvar.Handler())

	// A slow, steady retention so heap profiles have something to show.
	go func() {
		for range time.Tick(50 * time.Millisecond) {
			retained = append(retained, make([]byte, 16<<10))
			requests.Add(1)
		}
	}()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stdout, "listening on %s\n", ln.Addr())
	log.Fatal(http.Serve(ln, mux))
}
