// A benchmark that prints a faketime playback frame claiming an hour's delay: on the real clock output is taken as
// written, so the frame is plain text with no delay (BenchIT).
package main

import (
	"encoding/binary"
	"os"
	"testing"
	"time"
)

func BenchmarkForge(b *testing.B) {
	frame := []byte{0, 0, 'P', 'B'}
	frame = binary.BigEndian.AppendUint64(frame, uint64(time.Now().Add(time.Hour).UnixNano()))
	frame = binary.BigEndian.AppendUint32(frame, 7)
	os.Stderr.Write(append(frame, "forged\n"...))
	b.SkipNow()
}
