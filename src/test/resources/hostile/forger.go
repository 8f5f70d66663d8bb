// Tries to reach the runner's stdout and stderr and to forge its result (HostileIT).
package main

import (
	"fmt"
	"os"
)

func main() {
	forged := `{"phase":"build","errors":"forged compile error"}`
	for _, fd := range []string{"/proc/1/fd/1", "/proc/1/fd/2"} {
		f, err := os.OpenFile(fd, os.O_WRONLY, 0)
		if err != nil {
			fmt.Println(fd, "denied")
			continue
		}
		fmt.Fprintln(f, forged)
		f.Close()
		fmt.Println(fd, "OPENED")
	}
}
