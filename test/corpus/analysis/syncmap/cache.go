package syncmap

// The Delete for 'conns' in maps.go is in the same package; this file's Store must not be reported.
func retrack(id int, c any) {
	conns.Store(id, c)
}

var seenOnce cacheHolder

func remember(k string) {
	seenOnce.seen.Store(k, true) // want "sync-map-misuse"
}
