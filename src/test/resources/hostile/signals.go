// signallingTheRunnerIsNotPermitted (HostileIT).
package main

import (
	"fmt"
	"syscall"
)

func main() {
	for _, s := range []syscall.Signal{syscall.SIGKILL, syscall.SIGSTOP, syscall.SIGABRT, syscall.SIGTERM} {
		fmt.Println(s, syscall.Kill(1, s))
	}
}
