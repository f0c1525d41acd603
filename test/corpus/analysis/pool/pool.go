package pool

import (
	"bytes"
	"sync"
)

var allocated int

var countingPool = sync.Pool{
	New: func() any {
		allocated++ // want "pool-misuse"
		return new(bytes.Buffer)
	},
}

func newSharedPool() *sync.Pool {
	shared := make([]byte, 4096)
	return &sync.Pool{New: func() any {
		return &shared // want "pool-misuse"
	}}
}

func newMutatingPool() *sync.Pool {
	n := 0
	return &sync.Pool{New: func() any {
		n++ // want "pool-misuse"
		return make([]byte, n)
	}}
}

var bufPool = sync.Pool{New: func() any { return make([]byte, 0, 1024) }}

func putSlice(b []byte) {
	bufPool.Put(b[:0]) // want "pool-misuse"
}

func putDeclared() {
	b := make([]byte, 0, 1024)
	bufPool.Put(b) // want "pool-misuse"
}

type item struct{ a, b int }

var itemPool sync.Pool

func putStruct(it item) {
	itemPool.Put(it) // want "pool-misuse"
}

// Look-alikes that are fine.

var ptrPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func putPointer(b *[]byte) {
	*b = (*b)[:0]
	ptrPool.Put(b)
}

func newSizedPool(size int) *sync.Pool {
	return &sync.Pool{New: func() any {
		b := make([]byte, size)
		return &b
	}}
}

var bufferPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putBuffer(buf *bytes.Buffer) {
	buf.Reset()
	bufferPool.Put(buf)
}

type cache struct{}

func (cache) Put(b []byte) {}

func notAPool(c cache, b []byte) {
	c.Put(b[:0])
}

func putItemPointer(it *item) {
	itemPool.Put(it)
}

var retained []*[]byte

func leakyNew() any {
	b := make([]byte, 4096)
	retained = append(retained, &b) // want "pool-misuse"
	return &b
}

var leakyPool = sync.Pool{New: leakyNew}

func cleanNew() any {
	b := make([]byte, 4096)
	return &b
}

var cleanPool = sync.Pool{New: cleanNew}
