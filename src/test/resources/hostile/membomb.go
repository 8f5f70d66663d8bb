// memoryBombRunsOutOfMemoryInsideItsOwnRuntime (HostileIT).
package main

import "fmt"

func main() {
	var keep [][]byte
	for i := 1; ; i++ {
		b := make([]byte, 16<<20)
		for j := range b {
			b[j] = 1
		}
		keep = append(keep, b)
		if i%8 == 0 {
			fmt.Println("MiB", i*16)
		}
	}
}
