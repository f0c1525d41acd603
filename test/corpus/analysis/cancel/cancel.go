package cancel

import (
	"context"
	"time"
)

func discarded(parent context.Context) context.Context {
	ctx, _ := context.WithTimeout(parent, time.Second) // want "lost-cancel"
	return ctx
}

func discardedCause(parent context.Context) context.Context {
	ctx, _ := context.WithCancelCause(parent) // want "lost-cancel"
	return ctx
}

func onlyReassigned(parent context.Context) {
	var cancel context.CancelFunc
	var ctx context.Context
	ctx, cancel = context.WithCancel(parent) // want "lost-cancel"
	_ = cancel
	<-ctx.Done()
}

// Look-alikes that are fine.

func deferred(parent context.Context) {
	ctx, cancel := context.WithDeadline(parent, time.Now())
	defer cancel()
	<-ctx.Done()
}

func returnedCancel(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	return ctx, cancel
}

func namedResult(parent context.Context) (ctx context.Context, cancel context.CancelFunc) {
	ctx, cancel = context.WithCancel(parent)
	return
}

type job struct{ cancel context.CancelFunc }

func storedInField(parent context.Context, j *job) context.Context {
	ctx, cancel := context.WithCancel(parent)
	j.cancel = cancel
	return ctx
}

func passedOn(parent context.Context, register func(func())) context.Context {
	ctx, cancel := context.WithCancel(parent)
	register(cancel)
	return ctx
}

func calledInGoroutine(parent context.Context) {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		defer cancel()
		<-ctx.Done()
	}()
}

func directField(parent context.Context, j *job) context.Context {
	ctx, c := context.WithTimeout(parent, time.Second)
	j.cancel = c
	return ctx
}
