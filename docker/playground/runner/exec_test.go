package main

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"
)

// frame is one faketime playback record: 00 00 'P' 'B', 8 bytes of time, 4 bytes of length, payload.
func frame(payload string) []byte {
	b := []byte{0, 0, 'P', 'B'}
	b = binary.BigEndian.AppendUint64(b, 1257894000000000000)
	b = binary.BigEndian.AppendUint32(b, uint32(len(payload)))
	return append(b, payload...)
}

func TestFrameMeterCountsOnlyPayloadWhateverTheWriteBoundaries(t *testing.T) {
	stream := append(append(frame("hello\n"), frame("")...), frame("world, again\n")...)
	want := len("hello\n") + len("world, again\n")
	for split := 0; split <= len(stream); split++ {
		var m frameMeter
		if got := m.payload(stream[:split]) + m.payload(stream[split:]); got != want {
			t.Errorf("split at %d: %d payload bytes, want %d", split, got, want)
		}
	}
	var m frameMeter
	got := 0
	for i := range stream {
		got += m.payload(stream[i : i+1])
	}
	if got != want {
		t.Errorf("byte by byte: %d payload bytes, want %d", got, want)
	}
}

func TestFrameMeterCountsBytesOutsideFramesAsPayload(t *testing.T) {
	var m frameMeter
	if got := m.payload([]byte("plain text")); got != len("plain text") {
		t.Errorf("plain text: %d, want %d", got, len("plain text"))
	}
	// Zeros that start like a frame header but are not one are payload too.
	if got := m.payload([]byte{0, 0, 'X', 'y'}); got != 4 {
		t.Errorf("false header start: %d, want 4", got)
	}
	if got := m.payload(append([]byte("ab"), frame("cd")...)); got != 4 {
		t.Errorf("text then a frame: %d, want 4", got)
	}
}

// newShared returns a shared limit whose overflow callback (run on its own goroutine) signals on a channel.
func newShared(limit int) (*sharedLimit, chan struct{}) {
	overflowed := make(chan struct{}, 16)
	s := &sharedLimit{left: limit, rawLeft: contract.rawLimit(limit)}
	s.onOverflow = func() { overflowed <- struct{}{} }
	return s, overflowed
}

func TestOutputLimitIsSharedByStdoutAndStderr(t *testing.T) {
	s, _ := newShared(10)
	out, errw := &limited{shared: s}, &limited{shared: s}
	out.Write([]byte("12345"))
	errw.Write([]byte("12345"))
	if s.overflowed() {
		t.Fatal("exactly the limit across both streams overflowed")
	}
	errw.Write([]byte("x"))
	if !s.overflowed() {
		t.Fatal("one byte over the shared limit did not overflow")
	}
	if out.buf.String() != "12345" || !bytes.HasPrefix(errw.buf.Bytes(), []byte("12345")) {
		t.Errorf("kept %q and %q", out.buf.String(), errw.buf.String())
	}
}

func TestOutputLimitCountsPayloadNotFraming(t *testing.T) {
	s, _ := newShared(10)
	w := &limited{shared: s}
	for i := 0; i < 10; i++ {
		w.Write(frame("x")) // 17 raw bytes, 1 payload byte each
	}
	if s.overflowed() {
		t.Fatal("10 payload bytes in 170 framed bytes overflowed a limit of 10")
	}
	if w.buf.Len() != 10*len(frame("x")) {
		t.Errorf("kept %d bytes, want every frame", w.buf.Len())
	}
	w.Write(frame("y"))
	if !s.overflowed() {
		t.Error("the 11th payload byte did not overflow")
	}
}

func TestRawCapBoundsWhatIsKept(t *testing.T) {
	s, overflows := newShared(1)
	w := &limited{shared: s}
	// Empty frames carry no payload but cost raw bytes: the raw cap still ends it.
	empty := frame("")
	for i := 0; i <= contract.rawLimit(1)/len(empty)+1; i++ {
		w.Write(empty)
	}
	if !s.overflowed() {
		t.Fatal("framing beyond the raw cap did not overflow")
	}
	if w.buf.Len() > contract.rawLimit(1) {
		t.Errorf("kept %d raw bytes, cap %d", w.buf.Len(), contract.rawLimit(1))
	}
	before := w.buf.Len()
	w.Write([]byte("after"))
	if w.buf.Len() != before {
		t.Error("bytes after the overflow were kept")
	}
	select {
	case <-overflows:
	case <-time.After(10 * time.Second):
		t.Error("the overflow callback (which kills the program) never ran")
	}
}

func TestCappedKeepsTheFirstBytes(t *testing.T) {
	c := &capped{limit: 4}
	c.Write([]byte("ab"))
	c.Write([]byte("cdef"))
	if n, err := c.Write([]byte("gh")); n != 2 || err != nil {
		t.Errorf("Write reported %d, %v: a full buffer must not fail the writer", n, err)
	}
	if string(c.bytes()) != "abcd" || c.len() != 4 {
		t.Errorf("kept %q", c.bytes())
	}
}
