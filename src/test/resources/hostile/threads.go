// sixtyFourOsThreadsRun (HostileIT).
package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
)

func main() {
	ready, stop := make(chan bool), make(chan bool)
	for i := 0; i < 64; i++ {
		go func() {
			runtime.LockOSThread()
			ready <- true
			<-stop
		}()
	}
	for i := 0; i < 64; i++ {
		<-ready
	}
	status, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "Threads:") {
			var n int
			fmt.Sscan(strings.TrimPrefix(line, "Threads:"), &n)
			fmt.Println("at least 64 threads:", n >= 64)
		}
	}
	close(stop)
}
