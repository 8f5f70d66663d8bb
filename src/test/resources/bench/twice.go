// Two benchmarks, one doing twice the work of the other, and a test that only runs when asked (BenchIT).
package main

import "testing"

var sink uint64

func work(n int) {
	for i := 0; i < n; i++ {
		sink = sink*6364136223846793005 + uint64(i)
	}
}

func BenchmarkOnce(b *testing.B) {
	for i := 0; i < b.N; i++ {
		work(2000)
	}
}

func BenchmarkTwice(b *testing.B) {
	for i := 0; i < b.N; i++ {
		work(4000)
	}
}

func TestOnlyWhenAsked(t *testing.T) { t.Log("the test ran") }
