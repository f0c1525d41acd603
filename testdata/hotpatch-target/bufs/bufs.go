// Package bufs holds a leaking sync.Pool and candidate replacements for its New, good and bad, so leakhunt's hot
// patch tests can show each sandbox check refusing the candidate it exists for.
package bufs

import (
	"reflect"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Pool is the leaking pool: its New keeps every buffer it makes.
var Pool = sync.Pool{New: leakyNew}

var (
	retainedMu sync.Mutex
	retained   []*[]byte
	made       int
	// LeakyCalls counts calls to the leaky New.
	LeakyCalls atomic.Int64
)

func leakyNew() any {
	LeakyCalls.Add(1)
	b := make([]byte, 1024)
	retainedMu.Lock()
	retained = append(retained, &b)
	retainedMu.Unlock()
	return &b
}

// Retained reports how many buffers the leaky New kept.
func Retained() int {
	retainedMu.Lock()
	defer retainedMu.Unlock()
	return len(retained)
}

func fixedNew() any {
	b := make([]byte, 1024)
	return &b
}

// FixedNew is the good candidate.
var FixedNew func() any = fixedNew

// CapturingNew returns a pointer to one buffer captured from init: every Get would share it.
var CapturingNew func() any

func init() {
	shared := make([]byte, 1024)
	CapturingNew = func() any { return &shared }
}

// WrongTypeNew returns []byte where the pool's users expect *[]byte.
var WrongTypeNew func() any = func() any { return make([]byte, 1024) }

// ReflectNew builds the buffer through reflect.
var ReflectNew func() any = func() any {
	b := reflect.MakeSlice(reflect.TypeOf([]byte(nil)), 1024, 1024).Interface().([]byte)
	return &b
}

// UnsafeNew builds the buffer through unsafe.
var UnsafeNew func() any = func() any {
	var arr [1024]byte
	b := unsafe.Slice(&arr[0], len(arr))
	return &b
}

// SlowNew is correct but takes 10 ms per call.
var SlowNew func() any = slowNew

func slowNew() any {
	time.Sleep(10 * time.Millisecond)
	b := make([]byte, 1024)
	return &b
}

// HeavyNew is correct but allocates a 128 KiB scratch buffer per call.
var HeavyNew func() any = heavyNew

var heavySink []byte

func heavyNew() any {
	b := make([]byte, 1024)
	scratch := make([]byte, 128<<10)
	b[0] = scratch[len(scratch)-1]
	return &b
}

// CountingNew writes package-level state.
var CountingNew func() any = func() any {
	made++
	b := make([]byte, 1024)
	return &b
}

// GoNew starts a goroutine per call.
var GoNew func() any = func() any {
	b := make([]byte, 1024)
	go func() { _ = len(b) }()
	return &b
}

// All references every candidate, so the linker keeps them all in the binary.
var All = map[string]*func() any{
	"FixedNew": &FixedNew, "CapturingNew": &CapturingNew, "WrongTypeNew": &WrongTypeNew, "ReflectNew": &ReflectNew,
	"UnsafeNew": &UnsafeNew, "SlowNew": &SlowNew, "HeavyNew": &HeavyNew, "CountingNew": &CountingNew, "GoNew": &GoNew,
}

// Heavy keeps heavySink referenced.
func Heavy() []byte { return heavySink }
