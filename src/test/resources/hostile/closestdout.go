// closingStdoutEndsNothingButItsOwnOutput (HostileIT).
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Println("one")
	os.Stdout.Close()
	fmt.Println("two")
	fmt.Fprintln(os.Stderr, "stdout closed")
}
