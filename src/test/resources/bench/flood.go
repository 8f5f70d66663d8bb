// A benchmark that floods its output: raw output counts every byte against the cap (BenchIT).
package main

import (
	"fmt"
	"testing"
)

func BenchmarkFlood(b *testing.B) {
	for {
		fmt.Println("flood flood flood flood flood flood flood flood flood flood")
	}
}
