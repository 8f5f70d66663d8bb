// fifteenExternalSleepProcessesRun (HostileIT).
package main

import (
	"fmt"
	"os/exec"
)

func main() {
	var cmds []*exec.Cmd
	for i := 0; i < 15; i++ {
		c := exec.Command("sleep", "1")
		if err := c.Start(); err != nil {
			fmt.Println("start", i, err)
			return
		}
		cmds = append(cmds, c)
	}
	ok := 0
	for _, c := range cmds {
		if c.Wait() == nil {
			ok++
		}
	}
	fmt.Println("sleeps done", ok)
}
