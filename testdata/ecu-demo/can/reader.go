// Package can simulates the CAN-bus reader pool of an in-vehicle ECU. Its readers leak when a device is unplugged:
// each reader blocks on the device's frame channel with no way to cancel it, and the reconnect loop keeps starting
// new readers, so goroutines grow steadily.
package can

import (
	"context"
	"fmt"
	"runtime/pprof"
	"sync/atomic"
	"time"
)

// Frame is one CAN frame as read from a device.
type Frame struct {
	ID   uint32
	Data [8]byte
}

// Device is a CAN interface; its frames channel is never closed when the device is unplugged, which is the bug.
type Device struct {
	ID     uint32
	frames chan Frame
}

var (
	// ReadersStarted counts reader goroutines ever started.
	ReadersStarted atomic.Int64
	// ReadersBlocked counts readers currently waiting on a device channel.
	ReadersBlocked atomic.Int64
	// FramesRead counts frames consumed by all readers.
	FramesRead atomic.Int64
)

// Run is the reconnect loop: every 1/perSec seconds it plugs a device in, starts a reader for it, sends a few
// frames and then "unplugs" the device without closing its channel, leaking the reader.
func Run(ctx context.Context, perSec float64) {
	if perSec <= 0 {
		return
	}
	t := time.NewTicker(time.Duration(float64(time.Second) / perSec))
	defer t.Stop()
	var id uint32
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		id++
		dev := &Device{ID: 0x100 + id%8, frames: make(chan Frame)} // eight bus ids, so leaks group per can_id
		startReader(ctx, dev)
		plugAndUnplug(dev)
	}
}

// startReader starts the reader goroutine with a can_id pprof label, so goroutine profiles group leaks per bus id.
func startReader(ctx context.Context, dev *Device) {
	labels := pprof.Labels("can_id", fmt.Sprintf("0x%03x", dev.ID), "component", "can-reader")
	pprof.Do(ctx, labels, func(context.Context) {
		ReadersStarted.Add(1)
		go readFrames(dev) // leakhunt:planted can-reader-start
	})
}

// plugAndUnplug sends a few frames, then drops the device without closing the channel (the unplug).
func plugAndUnplug(dev *Device) {
	for i := 0; i < 3; i++ {
		dev.frames <- Frame{ID: dev.ID, Data: [8]byte{byte(i)}}
	}
}

// readFrames consumes frames until the device goes away; it never notices, because there is no ctx.Done case.
func readFrames(dev *Device) {
	var sum uint64
	for {
		ReadersBlocked.Add(1)
		f := <-dev.frames // leakhunt:planted can-reader-block
		ReadersBlocked.Add(-1)
		FramesRead.Add(1)
		sum += uint64(f.Data[0])
	}
}
