package syncmaphanded

import "sync"

var registry sync.Map

func add(k string) { registry.Store(k, 1) }
