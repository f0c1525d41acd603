// Package pool holds the ECU's frame buffer pool. Its New retains every buffer it makes, so each pool miss leaks.
// FixedNew is the corrected constructor, compiled in and referenced so the linker keeps it for a live hot patch.
package pool

import (
	"context"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// BufSize is the size of one frame buffer.
const BufSize = 4096

// BufPool is the frame buffer pool; its New is the leaky one until someone hot-patches it.
var BufPool = sync.Pool{New: leakyNew}

// FixedNew is the corrected New, kept as a func-typed variable so Delve can assign it to BufPool.New.
var FixedNew func() any = fixedNew

var (
	retainedMu sync.Mutex
	retained   []*[]byte
	// LeakyNewCalls counts calls to the leaky New.
	LeakyNewCalls atomic.Int64
	// Gets counts BufPool.Get calls; Misses counts those that returned a freshly made buffer.
	Gets, Misses atomic.Int64
)

// leakyNew makes a buffer and, by mistake, remembers it in a package-level slice ("for debugging").
func leakyNew() any {
	LeakyNewCalls.Add(1)
	b := make([]byte, BufSize) // leakhunt:planted pool-leaky-new
	retainedMu.Lock()
	retained = append(retained, &b) // leakhunt:planted pool-retain-append
	retainedMu.Unlock()
	return &b
}

// fixedNew makes a fresh buffer and keeps no reference to it.
func fixedNew() any {
	b := make([]byte, BufSize) // leakhunt:planted pool-fixed-new
	return &b
}

// Retained reports how many buffers the leaky New has retained.
func Retained() int {
	retainedMu.Lock()
	defer retainedMu.Unlock()
	return len(retained)
}

// CurrentNew names the function BufPool.New points at (e.g. "example.com/ecu-demo/pool.fixedNew").
func CurrentNew() string {
	f := BufPool.New
	if f == nil {
		return ""
	}
	fn := runtime.FuncForPC(reflect.ValueOf(f).Pointer())
	if fn == nil {
		return "?"
	}
	return fn.Name()
}

// FixedNewAvailable reports whether the fixed New is compiled in; referencing FixedNew keeps it in the binary.
func FixedNewAvailable() bool { return FixedNew != nil }

// Run takes perSec buffers per second from the pool and returns only every other one (the other is lost on an
// error path), so the pool misses steadily.
func Run(ctx context.Context, perSec int) {
	if perSec <= 0 {
		return
	}
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	carry := 0
	var n int64
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		carry += perSec
		for carry >= 10 {
			carry -= 10
			n++
			bp := BufPool.Get().(*[]byte)
			Gets.Add(1)
			b := *bp
			if b[0] == 0 {
				Misses.Add(1)
			}
			b[0] = 1
			if n%2 == 0 {
				BufPool.Put(bp)
			}
		}
	}
}
