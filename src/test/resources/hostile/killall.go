// killingEveryProcessItMayKillsNothingOfTheSandbox (HostileIT).
package main

import (
	"fmt"
	"syscall"
)

func main() {
	fmt.Println("before")
	syscall.Kill(-1, syscall.SIGKILL)
	fmt.Println("after")
}
