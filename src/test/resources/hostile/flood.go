// outputFloodIsCutAtTheCap (HostileIT).
package main

import "fmt"

func main() {
	for {
		fmt.Println("flood flood flood flood flood flood flood flood flood flood")
	}
}
