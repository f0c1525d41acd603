package goroutine

import "sync"

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
