// A benchmark that fork-bombs: it meets the program's process limit on the real clock too (BenchIT).
package main

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

func BenchmarkBomb(b *testing.B) {
	if os.Getenv("CHILD") == "" {
		fmt.Println("bombing")
	}
	for {
		c := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=Bomb")
		c.Env = []string{"CHILD=1"}
		c.Start()
	}
}
