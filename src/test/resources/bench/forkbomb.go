// A benchmark that fork-bombs: it meets the program's process limit on the real clock too (BenchIT). Its
// processes also hold threads (each blocked in a raw sleep), so it reaches the limit within the run time
// although a Go process takes tens of milliseconds to start in the sandbox.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
)

func BenchmarkBomb(b *testing.B) {
	if os.Getenv("CHILD") == "" {
		fmt.Println("bombing")
	}
	for i := 0; i < 32; i++ {
		go func() {
			for {
				syscall.Nanosleep(&syscall.Timespec{Sec: 1}, nil) // holds a thread of its own
			}
		}()
	}
	for {
		c := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=Bomb")
		c.Env = []string{"CHILD=1"}
		c.Start()
	}
}
