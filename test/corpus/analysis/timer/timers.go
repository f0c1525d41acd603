// Non-ASCII text before the findings keeps positions honest: héllo, 😀, 日本語.
package timer

import (
	"context"
	"time"
)

func poll(ctx context.Context, in <-chan int) {
	for {
		select {
		case <-in:
		case <-time.After(time.Minute): // want "timer-leak"
		case <-ctx.Done():
			return
		}
	}
}

func neverStoppedTicker(ctx context.Context) {
	t := time.NewTicker(time.Second) // want "timer-leak"
	for i := 0; i < 3; i++ {
		<-t.C
	}
}

func neverStoppedTimer(in <-chan int) {
	timer := time.NewTimer(time.Second) // want "timer-leak"
	select {
	case <-in:
	case <-timer.C:
	}
}

func afterInRangeOverChannel(in chan int, out chan<- int) {
	for v := range in {
		select {
		case out <- v:
		case <-time.After(time.Second): // want "timer-leak"
		}
	}
}

func chained() {
	<-time.NewTicker(time.Second).C // want "timer-leak"
}

// Look-alikes that are fine.

func onceAfter(in <-chan int) {
	select {
	case <-in:
	case <-time.After(time.Second):
	}
}

func stopped(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
	}
}

func stoppedInClosure() {
	t := time.NewTimer(time.Second)
	cleanup := func() { t.Stop() }
	defer cleanup()
	<-t.C
}

func returned() *time.Ticker {
	t := time.NewTicker(time.Second)
	return t
}

type poller struct{ t *time.Ticker }

func stored(p *poller) {
	p.t = time.NewTicker(time.Second)
}

func passedOn(use func(*time.Timer)) {
	t := time.NewTimer(time.Second)
	use(t)
}

func afterInLoopBody(in <-chan int) {
	for i := 0; i < 3; i++ {
		d := time.After(time.Second)
		<-d
	}
}

// A counted loop makes a bounded number of timers.
func countedLoop(c <-chan int) {
	for i := 0; i < 4; i++ {
		select {
		case <-c:
		case <-time.After(10 * time.Second):
			return
		}
	}
}

// A timer whose channel is received unconditionally has fired; there is nothing to stop.
func firedTimer() {
	tm := time.NewTimer(time.Second)
	<-tm.C
}

func rangeOverSlice(items []int, c <-chan int) {
	for range items {
		select {
		case <-c:
		case <-time.After(time.Second):
		}
	}
}

// A timer of a nanosecond fires at once.
func immediateTimer(in <-chan int) {
	tm := time.NewTimer(0)
	select {
	case <-tm.C:
	case <-in:
	}
}
