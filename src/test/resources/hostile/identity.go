// theProgramRunsAsItsOwnUnprivilegedUser (HostileIT).
package main

import (
	"fmt"
	"os"
	"strings"
)

func main() {
	status, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "CapEff:") || strings.HasPrefix(line, "CapPrm:") {
			fmt.Println(strings.Join(strings.Fields(line), " "))
		}
	}
	fmt.Println("uid", os.Getuid(), os.Geteuid(), "gid", os.Getgid())
	_, err := os.Create("/tmp/play.bin")
	fmt.Println("replace the build:", err != nil)
}
