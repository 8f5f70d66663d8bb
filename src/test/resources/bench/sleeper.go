// A benchmark that sleeps for an hour of real time: the run timeout ends it, and what it printed is kept (BenchIT).
package main

import (
	"fmt"
	"testing"
	"time"
)

func BenchmarkSleep(b *testing.B) {
	fmt.Println("going to sleep")
	time.Sleep(time.Hour)
}
