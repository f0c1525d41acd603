package goroutine

import (
	"context"
	"runtime/pprof"
	"sync"
)

var once sync.Once
var events = make(chan string)

// Process-lifetime workers started once are not leaks.
func startLogger() {
	once.Do(func() {
		go func() {
			for {
				e := <-events
				_ = e
			}
		}()
	})
}

type server struct{ quit chan struct{} }

func (s *server) loop(in <-chan int) {
	for {
		select {
		case v := <-in:
			_ = v
		case <-s.quit:
			return
		}
	}
}

func (s *server) start(in <-chan int) {
	go s.loop(in)
}

func panicky(in <-chan int) {
	go func() {
		for {
			if v := <-in; v < 0 {
				panic("negative")
			}
		}
	}()
}

var sigs = make(chan int)

// A process-wide service loop on package-level channels.
func startSignalThread() {
	go func() {
		for {
			select {
			case s := <-sigs:
				_ = s
			}
		}
	}()
}

type device struct{ frames chan int }

func readDevice(d *device) {
	for {
		f := <-d.frames
		_ = f
	}
}

// pprof.Do is not sync.Once: a reader started per device under labels still leaks.
func startLabelled(ctx context.Context, d *device) {
	pprof.Do(ctx, pprof.Labels("bus", "can0"), func(context.Context) {
		go readDevice(d) // want "goroutine-leak"
	})
}

func workLoop(frames <-chan frame) {
	for {
		f := <-frames
		process(f)
	}
}
