package goroutine

import (
	"context"
	"errors"
	"time"
)

type frame struct{ id uint32 }

func process(frame) {}

// The seed's CAN reader: one goroutine per bus, and nothing ever stops it.
func startReader(frames <-chan frame) {
	go func() { // want "goroutine-leak"
		for {
			select {
			case f := <-frames:
				process(f)
			}
		}
	}()
}

func startPlainReceive(frames chan frame) {
	go func() { // want "goroutine-leak"
		for {
			f := <-frames
			process(f)
		}
	}()
}

func readLoop(ctx context.Context, frames <-chan frame) {
	for {
		select {
		case f := <-frames:
			process(f)
		case <-time.After(time.Second): // want "timer-leak"
			continue
		}
	}
}

func startNamed(ctx context.Context, frames <-chan frame) {
	go readLoop(ctx, frames) // want "goroutine-leak"
}

func rangeNeverClosed() {
	jobs := make(chan int)
	go func() { // want "goroutine-leak"
		for j := range jobs {
			_ = j
		}
	}()
	jobs <- 1
}

// The abandoned sender: after the timeout nobody receives, and the goroutine blocks on its send forever.
func fetch(ctx context.Context, work func() (int, error)) (int, error) {
	ch := make(chan int)
	go func() {
		v, _ := work()
		ch <- v // want "goroutine-leak"
	}()
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func fetchWithTimeout(work func() error) error {
	errc := make(chan error)
	go func() { errc <- work() }() // want "goroutine-leak"
	var err error
	select {
	case err = <-errc:
	case <-time.After(time.Second):
		err = errors.New("timeout")
	}
	return err
}

// Look-alikes that are fine.

func withDone(ctx context.Context, frames <-chan frame) {
	go func() {
		for {
			select {
			case f := <-frames:
				process(f)
			case <-ctx.Done():
				return
			}
		}
	}()
}

func withOkCheck(frames <-chan frame) {
	go func() {
		for {
			f, ok := <-frames
			if !ok {
				return
			}
			process(f)
		}
	}()
}

func withLabelledBreak(frames <-chan frame, quit chan struct{}) {
	go func() {
	loop:
		for {
			select {
			case f := <-frames:
				process(f)
			case <-quit:
				break loop
			}
		}
	}()
}

func rangeClosed() {
	jobs := make(chan int)
	go func() {
		for j := range jobs {
			_ = j
		}
	}()
	jobs <- 1
	close(jobs)
}

func rangeOverParam(jobs <-chan int) {
	go func() {
		for j := range jobs {
			_ = j
		}
	}()
}

func nonBlockingSpin(frames <-chan frame, stop *bool) {
	go func() {
		for !*stop {
			select {
			case f := <-frames:
				process(f)
			default:
			}
		}
	}()
}

func bufferedResult(ctx context.Context, work func() int) int {
	ch := make(chan int, 1)
	go func() { ch <- work() }()
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		return 0
	}
}

func alwaysReceives(work func() int) int {
	ch := make(chan int)
	go func() { ch <- work() }()
	return <-ch
}

func senderSelects(ctx context.Context, work func() int) int {
	ch := make(chan int)
	go func() {
		select {
		case ch <- work():
		case <-ctx.Done():
		}
	}()
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		return 0
	}
}

func retriesInLoop(work func() int, tick <-chan time.Time) int {
	ch := make(chan int)
	go func() { ch <- work() }()
	for {
		select {
		case v := <-ch:
			return v
		case <-tick:
			continue
		}
	}
}

func main() {}

func init() {
	go func() {
		for {
			time.Sleep(time.Second)
		}
	}()
}

// N-cast: every item gets a goroutine, only the first result is taken; the other senders block forever.
func firstResult(items []int, work func(int) int) int {
	ch := make(chan int)
	for _, it := range items {
		go func() {
			ch <- work(it) // want "goroutine-leak"
		}()
	}
	return <-ch
}

func allResults(items []int, work func(int) int) int {
	ch := make(chan int)
	for _, it := range items {
		go func() { ch <- work(it) }()
	}
	sum := 0
	for range items {
		sum += <-ch
	}
	return sum
}

func oneAtATime(items []int, work func(int) int) int {
	ch := make(chan int)
	sum := 0
	for _, it := range items {
		go func() { ch <- work(it) }()
		sum += <-ch
	}
	return sum
}

// The classic slip: break inside select leaves the select, not the loop.
func breakOnlyLeavesSelect(frames <-chan frame, done <-chan struct{}) {
	go func() { // want "goroutine-leak"
		for {
			select {
			case f := <-frames:
				process(f)
			case <-done:
				break
			}
		}
	}()
}

func gotoOut(frames <-chan frame, done <-chan struct{}) {
	go func() {
		for {
			select {
			case f := <-frames:
				process(f)
			case <-done:
				goto out
			}
		}
	out:
	}()
}

// An early return between starting the sender and receiving abandons it.
func earlyReturn(err error, work func() int) int {
	ch := make(chan int)
	go func() { ch <- work() }() // want "goroutine-leak"
	if err != nil {
		return 0
	}
	return <-ch
}

// A return after the receive is fine.
func lateReturn(err error, work func() int) int {
	ch := make(chan int)
	go func() { ch <- work() }()
	v := <-ch
	if err != nil {
		return 0
	}
	return v
}
