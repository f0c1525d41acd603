package cache

import (
	"context"
	"sync"
	"time"
)

// Bounded is a FIFO cache that grows to its cap and then evicts the oldest entry: the healthy contrast to sessions.
type Bounded struct {
	mu    sync.Mutex
	cap   int
	order []uint64
	data  map[uint64][]byte
}

// NewBounded makes a bounded cache holding at most capacity entries.
func NewBounded(capacity int) *Bounded {
	return &Bounded{cap: capacity, data: make(map[uint64][]byte)}
}

// Len reports how many entries the cache holds.
func (b *Bounded) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.data)
}

// Put stores a fresh 1 KiB value under key, evicting the oldest entry once the cache is full.
func (b *Bounded) Put(key uint64) {
	v := make([]byte, 1024) // leakhunt:planted bounded-alloc
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cap <= 0 {
		return
	}
	if len(b.order) >= b.cap {
		oldest := b.order[0]
		b.order = b.order[1:]
		delete(b.data, oldest)
	}
	b.order = append(b.order, key)
	b.data[key] = v
}

// RunBounded inserts perSec entries per second into b.
func RunBounded(ctx context.Context, b *Bounded, perSec int) {
	if perSec <= 0 {
		return
	}
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	var key uint64
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for i := 0; i < (perSec+9)/10; i++ {
			key++
			b.Put(key)
		}
	}
}
