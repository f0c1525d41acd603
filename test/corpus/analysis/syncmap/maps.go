package syncmap

import (
	"reflect"
	"sync"
)

type registry struct {
	entries sync.Map
	name    string
}

type cacheHolder struct {
	seen sync.Map
}

type ptrHolder struct {
	m *sync.Map
}

// Growth without eviction: stores, never deletes.
var sessions sync.Map

func openSession(id string, s any) {
	sessions.Store(id, s) // want "sync-map-misuse"
}

func lookupSession(id string) (any, bool) {
	return sessions.Load(id)
}

// Copies by value.
func (r registry) Name() string { return r.name } // want "sync-map-misuse"

func takeMap(m sync.Map) {} // want "sync-map-misuse"

func copyIt(r *registry) {
	snapshot := r.entries // want "sync-map-misuse"
	_ = &snapshot
}

func copyHolder(h *cacheHolder) cacheHolder { // want "sync-map-misuse"
	c := *h  // want "sync-map-misuse"
	return c // want "sync-map-misuse"
}

func passByValue() {
	var m sync.Map
	takeMap(m) // want "sync-map-misuse"
}

// Look-alikes that are fine.

// Stored and deleted: bounded by the owner.
var conns sync.Map

func track(id int, c any) { conns.Store(id, c) }
func untrack(id int)      { conns.Delete(id) }

// Evicted with Swap to nil or LoadAndDelete.
var pending sync.Map

func addPending(id int)  { pending.Store(id, true) }
func takePending(id int) { pending.LoadAndDelete(id) }

// A field that is deleted from in another method.
func (r *registry) add(k string)    { r.entries.Store(k, 1) }
func (r *registry) remove(k string) { r.entries.Delete(k) }

// A type cache: keyed by reflect.Type, so bounded by the number of types in the program.
var typeCache sync.Map

func describe(t reflect.Type) string {
	if v, ok := typeCache.Load(t); ok {
		return v.(string)
	}
	typeCache.Store(t, t.String())
	return t.String()
}

// Memo tables: filled once per key by design.
var memo sync.Map

func compute(k string) any {
	v, _ := memo.LoadOrStore(k, len(k))
	return v
}

var users sync.Map

func userName(uid int) string {
	if v, ok := users.Load(uid); ok {
		return v.(string)
	}
	name := "u"
	users.Store(uid, name)
	return name
}

// A registry with constant keys.
const methodDeflate = 8

var codecs sync.Map

func init() { codecs.Store(methodDeflate, "deflate") }

// Handed to other code, which may delete: not judged.
var shared sync.Map

func register(k string) { shared.Store(k, 1) }
func expose() *sync.Map { return &shared }

// Pointers are not copies.
func byPointer(m *sync.Map) {}

func (r *registry) Size() int {
	byPointer(&r.entries)
	n := 0
	r.entries.Range(func(_, _ any) bool { n++; return true })
	return n
}

func pointerHolder(p ptrHolder) *sync.Map { return p.m }

func fresh() *registry {
	r := registry{name: "x"}
	return &r
}
