// goroutineBombRunsOutOfTimeOrMemory (HostileIT).
package main

func main() {
	c := make(chan int)
	for {
		go func() { <-c }()
	}
}
