package unsafepointer

import (
	"sync"
	"unsafe"
)

type frame struct {
	id   uint32
	data [8]byte
}

var frames sync.Map
var lastFrame unsafe.Pointer
var global frame

type holder struct{ p unsafe.Pointer }

// The seed bug: the address of a stack variable kept in a sync.Map.
func storeFrame(id uint32) {
	var f frame
	f.id = id
	frames.Store(id, unsafe.Pointer(&f)) // want "unsafe-pointer-escape" "sync-map-misuse" "sync-map-misuse"
}

func storeThroughLocal(id uint32) {
	f := frame{id: id}
	p := unsafe.Pointer(&f)   // want "unsafe-pointer-escape"
	frames.LoadOrStore(id, p) // want "sync-map-misuse"
}

func toGlobal(f frame) {
	lastFrame = unsafe.Pointer(&f) // want "unsafe-pointer-escape"
}

func toField(h *holder) {
	var x int
	h.p = unsafe.Pointer(&x) // want "unsafe-pointer-escape"
}

func sendIt(ch chan unsafe.Pointer) {
	var x int64
	ch <- unsafe.Pointer(&x) // want "unsafe-pointer-escape"
}

func returnAsUintptr() uintptr {
	x := 42
	return uintptr(unsafe.Pointer(&x)) // want "unsafe-pointer-escape"
}

func captureInGoroutine(done chan struct{}) {
	var counter int
	p := unsafe.Pointer(&counter) // want "unsafe-pointer-escape"
	go func() {
		*(*int)(p) = 1
		close(done)
	}()
}

// Look-alikes that are fine.

func addressOfGlobal() {
	frames.Store(1, unsafe.Pointer(&global)) // want "sync-map-misuse"
}

func bitsOf(f float64) uint64 {
	return *(*uint64)(unsafe.Pointer(&f))
}

func usedInFrame() int {
	var buf [4]byte
	p := unsafe.Pointer(&buf)
	b := (*[4]byte)(p)
	b[0] = 1
	return int(buf[0])
}

func passedToCall(f func(unsafe.Pointer)) {
	var x int
	f(unsafe.Pointer(&x))
}

func localHolder() {
	var x int
	var h holder
	h.p = unsafe.Pointer(&x)
	_ = h
}

func shadowedGlobal() {
	var global frame
	q := unsafe.Pointer(&global)
	_ = q
}

// Returned as a pointer: the compiler sees the escape and moves x to the heap (reflect and net do this).
func returnTyped() *int {
	x := 42
	return (*int)(unsafe.Pointer(&x))
}

// The goroutine is waited for, so the frame outlives it.
func waitedGoroutine() {
	var counter int
	done := make(chan struct{})
	go func() {
		*(*int)(unsafe.Pointer(&counter)) = 1
		close(done)
	}()
	<-done
}

func blank() {
	var x int
	_ = unsafe.Pointer(&x)
}
