// forkBombMeetsItsProcessLimitAndIsToldSo (HostileIT): a fork bomb whose processes also hold threads
// (each blocked in a raw sleep), so it reaches its limit of processes and threads within the run time
// although a Go process takes tens of milliseconds to start in the sandbox.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

func main() {
	if len(os.Args) == 1 {
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
		exec.Command(os.Args[0], "child").Start()
	}
}
