package goroutine

// A goroutine body declared in another file of the package is followed too.
func startWorker(frames <-chan frame) {
	go workLoop(frames) // want "goroutine-leak"
}
