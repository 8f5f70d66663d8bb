// A benchmark whose every iteration starts a process: it gets its figures like any other (BenchIT).
package main

import (
	"os/exec"
	"testing"
)

func BenchmarkStartTrue(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if err := exec.Command("/bin/true").Run(); err != nil {
			b.Fatal(err)
		}
	}
}
