// fiftyChildProcessesRun (HostileIT): fifty Go processes alive at once, well within the process limit and,
// at about 50 ms of CPU per Go process start in the sandbox, within the run time.
package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
)

func main() {
	if len(os.Args) > 1 {
		io.Copy(io.Discard, os.Stdin) // wait until the parent lets go
		return
	}
	var cmds []*exec.Cmd
	var pipes []io.Closer
	for i := 0; i < 50; i++ {
		c := exec.Command(os.Args[0], "child")
		w, _ := c.StdinPipe()
		if err := c.Start(); err != nil {
			fmt.Println("start", i, err)
			return
		}
		cmds, pipes = append(cmds, c), append(pipes, w)
	}
	fmt.Println("running", len(cmds))
	for _, p := range pipes {
		p.Close()
	}
	ok := 0
	for _, c := range cmds {
		if c.Wait() == nil {
			ok++
		}
	}
	fmt.Println("exited cleanly", ok)
}
