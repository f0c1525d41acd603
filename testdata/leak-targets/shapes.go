package main

import (
	"context"
	"sync"
	"time"
)

// every runs f every d until ctx is done.
func every(ctx context.Context, d time.Duration, f func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f()
		}
	}
}

var (
	slowRecords [][]byte
	bigHeap     [][]byte
	hiddenKept  [][]byte
	holdMu      sync.Mutex
)

// slowLeak keeps 32 KiB per second: 64 records of 512 bytes.
func slowLeak(ctx context.Context) {
	every(ctx, 100*time.Millisecond, func() {
		for i := 0; i < 6; i++ {
			rec := make([]byte, 512) // leakhunt:planted slow-leak-alloc
			slowRecords = append(slowRecords, rec)
		}
	})
}

// loadBig allocates a large index once and keeps it, unchanged, for the life of the process.
func loadBig(mib int) {
	for i := 0; i < mib; i++ {
		chunk := make([]byte, 1<<20) // leakhunt:planted hidden-big-alloc
		chunk[0] = byte(i)
		bigHeap = append(bigHeap, chunk)
	}
}

// hiddenLeak keeps 128 KiB per second next to the large heap: under 0.1% of it per second.
func hiddenLeak(ctx context.Context) {
	every(ctx, 100*time.Millisecond, func() {
		b := make([]byte, 13*1024) // leakhunt:planted hidden-leak-alloc
		hiddenKept = append(hiddenKept, b)
	})
}

// wavePool resizes a worker pool along a triangle wave between 4 and 40 workers (period 16 s); idle workers
// block on the jobs channel until told to stop.
func wavePool(ctx context.Context) {
	jobs := make(chan func())
	var quits []chan struct{}
	start := time.Now()
	every(ctx, 200*time.Millisecond, func() {
		phase := time.Since(start).Seconds()
		p := phase - 16*float64(int(phase/16))
		want := 4 + int(36*(1-abs(p-8)/8))
		for len(quits) < want {
			q := make(chan struct{})
			quits = append(quits, q)
			go waveWorker(jobs, q)
		}
		for len(quits) > want {
			close(quits[len(quits)-1])
			quits = quits[:len(quits)-1]
		}
	})
}

func waveWorker(jobs <-chan func(), quit <-chan struct{}) {
	for {
		select { // leakhunt:planted wave-worker-block
		case j := <-jobs:
			j()
		case <-quit:
			return
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// mutexPileUp takes a mutex and never releases it, then starts 5 goroutines a second that block on it.
func mutexPileUp(ctx context.Context) {
	holdMu.Lock()
	every(ctx, 200*time.Millisecond, func() {
		go lockedUpdate()
	})
}

func lockedUpdate() {
	holdMu.Lock() // leakhunt:planted mutex-block
	defer holdMu.Unlock()
}

// plateauCache fills a FIFO cache of 1,500 entries of 2 KiB at 500 puts/s (full after 3 s), then evicts the oldest.
func plateauCache(ctx context.Context) {
	const capacity = 1500
	var order [][]byte
	every(ctx, 100*time.Millisecond, func() {
		for i := 0; i < 50; i++ {
			v := make([]byte, 2048) // leakhunt:planted plateau-alloc
			order = append(order, v)
			if len(order) > capacity {
				order[0] = nil
				order = order[1:]
			}
		}
	})
}

// churn allocates perSec MiB per second in 64 KiB buffers that die at once.
func churn(ctx context.Context, mibPerSec int) {
	var sink byte
	every(ctx, 10*time.Millisecond, func() {
		for i := 0; i < mibPerSec*16/100; i++ {
			buf := make([]byte, 64<<10) // leakhunt:planted churn-alloc
			buf[i%len(buf)] = byte(i)
			sink ^= buf[0]
		}
	})
	_ = sink
}
