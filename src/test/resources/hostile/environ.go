// theRunnersEnvironmentIsEmpty (HostileIT).
package main

import (
	"fmt"
	"os"
)

func main() {
	env, err := os.ReadFile("/proc/1/environ")
	fmt.Printf("runner environment: %d bytes, %v\n", len(env), err)
}
