// Package cache holds the ECU's session caches: one that leaks (a sync.Map of unsafe.Pointer with no eviction)
// and one that is bounded.
package cache

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

var (
	sessions sync.Map
	// SessionEntries counts entries stored in the session cache; nothing ever removes them.
	SessionEntries atomic.Int64
	// SessionBytes counts payload bytes stored in the session cache.
	SessionBytes atomic.Int64
)

// entrySize is the payload of one session entry.
const entrySize = 4096

// RunSessionCache stores about bytesPerSec bytes per second of session payloads, never evicting them.
func RunSessionCache(ctx context.Context, bytesPerSec int) {
	if bytesPerSec <= 0 {
		return
	}
	const tick = 100 * time.Millisecond
	t := time.NewTicker(tick)
	defer t.Stop()
	var key uint64
	carry := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		carry += bytesPerSec / 10
		for carry >= entrySize {
			carry -= entrySize
			key++
			storeOrRenew(key)
		}
	}
}

// storeSession keeps a pointer to a local slice header; the local escapes to the heap and stays reachable forever.
func storeSession(key uint64, n int) {
	x := make([]byte, n) // leakhunt:planted map-unsafe-alloc
	x[0] = byte(key)
	sessions.Store(key, unsafe.Pointer(&x)) // leakhunt:planted map-unsafe-store
	SessionEntries.Add(1)
	SessionBytes.Add(int64(n))
}

// storeOrRenew stores a new session, or, for one key in four, a renewal: the same leaking store reached through a
// second caller, so the allocation site has two stacks growing at 3:1. (Kept below storeSession so that the planted
// lines above keep the numbers the recorded demo series has.)
//
//go:noinline
func storeOrRenew(key uint64) {
	if key%4 == 0 {
		renewSession(key)
		return
	}
	storeSession(key, entrySize)
}

// renewSession stores a renewed session; it leaks through the same store as new sessions.
//
//go:noinline
func renewSession(key uint64) {
	storeSession(key, entrySize)
}
