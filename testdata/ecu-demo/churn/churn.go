// Package churn simulates heavy, short-lived allocation (frame decoding): alloc_space grows fast, in-use stays flat.
package churn

import (
	"context"
	"sync/atomic"
	"time"
)

// Bytes counts bytes allocated and dropped by the churn loop.
var Bytes atomic.Int64

var sink byte

// Run allocates about mbPerSec MiB per second in 64 KiB chunks and drops each one right away.
func Run(ctx context.Context, mbPerSec int) {
	if mbPerSec <= 0 {
		return
	}
	const chunk = 64 << 10
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	perTick := mbPerSec << 20 / 20
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for done := 0; done < perTick; done += chunk {
			sink ^= decode(chunk)
			Bytes.Add(chunk)
		}
	}
}

// decode allocates a scratch buffer that does not outlive the call. Not inlined, so the size stays non-constant
// and the buffer is heap-allocated at a stable site.
//
//go:noinline
func decode(n int) byte {
	buf := make([]byte, n) // leakhunt:planted churn-alloc
	for i := 0; i < len(buf); i += 512 {
		buf[i] = byte(i)
	}
	return buf[n/2] ^ buf[0]
}
