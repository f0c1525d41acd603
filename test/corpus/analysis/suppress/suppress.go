package suppress

import (
	"context"
	"time"
)

func sameLine(parent context.Context) context.Context {
	ctx, _ := context.WithTimeout(parent, time.Second) //leakhunt:ignore lost-cancel the parent is cancelled right after
	return ctx
}

func lineAbove(parent context.Context) context.Context {
	//leakhunt:ignore lost-cancel the caller owns the parent and cancels it
	ctx, _ := context.WithTimeout(parent, time.Second)
	return ctx
}

func noReason(parent context.Context) context.Context {
	//leakhunt:ignore lost-cancel // want "invalid-suppression"
	ctx, _ := context.WithTimeout(parent, time.Second) // want "lost-cancel"
	return ctx
}

func wrongRule(parent context.Context) context.Context {
	//leakhunt:ignore timer-leak not this one
	ctx, _ := context.WithTimeout(parent, time.Second) // want "lost-cancel"
	return ctx
}

func unknownRule() {
	//leakhunt:ignore no-such-rule because // want "invalid-suppression"
}
