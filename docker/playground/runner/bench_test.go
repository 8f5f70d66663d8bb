package main

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPatternsSplitAsTheTestingPackageSplitsThem(t *testing.T) {
	for _, c := range []struct {
		in   string
		sep  byte
		want []string
	}{
		{"A/B", '/', []string{"A", "B"}},
		{"A[/]B/C", '/', []string{"A[/]B", "C"}},
		{"(A/B)/C", '/', []string{"(A/B)", "C"}},
		{`A\/B/C`, '/', []string{`A\/B`, "C"}},
		{"]/x", '/', []string{"]", "x"}},
		{"A|B/C", '|', []string{"A", "B/C"}},
		{"(A|B)|C", '|', []string{"(A|B)", "C"}},
		{"", '/', []string{""}},
	} {
		if got := splitPattern(c.in, c.sep); !slices.Equal(got, c.want) {
			t.Errorf("splitPattern(%q, %q) = %q, want %q", c.in, c.sep, got, c.want)
		}
	}
}

func TestPatternMatchesTopLevelNamesByTheFirstLevelOfEveryAlternative(t *testing.T) {
	match, err := checkPattern("benchPattern", "Sort/small|^BenchmarkMap$")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"BenchmarkSort": true, "BenchmarkSortSlice": true, "BenchmarkMap": true,
		"BenchmarkMapMore": false, "BenchmarkSmall": false} {
		if match(name) != want {
			t.Errorf("%s matched %v, want %v", name, !want, want)
		}
	}
}

func TestBadPatternsAreRefusedWithTheirField(t *testing.T) {
	for pattern, want := range map[string]string{
		"a(":                         "benchRun: error parsing regexp",
		"ok/[":                       "benchRun: error parsing regexp",
		"a\nb":                       "benchRun has a control character",
		strings.Repeat("x", 257):     "benchRun is over 256 bytes",
		strings.Repeat("x", 256):     "",
		`Benchmark\d+/sub-[a-z]+|x$`: "",
	} {
		_, err := checkPattern("benchRun", pattern)
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("checkPattern(%.20q) = %v, want %q", pattern, err, want)
		}
	}
}

const twoBenchmarks = "package main\n\nimport \"testing\"\n\nfunc BenchmarkA(b *testing.B) {}\n\n" +
	"func BenchmarkB(b *testing.B) {}\n\nfunc TestC(t *testing.T) {}\n"

func TestBenchtimeSharesTheBudgetAmongTheMatchingBenchmarks(t *testing.T) {
	files := map[string]string{progTestName: twoBenchmarks}
	for _, c := range []struct {
		pattern string
		budget  int64
		want    time.Duration
	}{
		{"", 2000, time.Second},              // two benchmarks, 1 s each: go test's default
		{"", 1000, 500 * time.Millisecond},   // two share one second
		{"A", 1000, time.Second},             // one has it all, up to go test's default
		{"A|B", 333, 166 * time.Millisecond}, // whole milliseconds
		{"", 1, time.Millisecond},            // never less than a millisecond
		{"", 0, 750 * time.Millisecond},      // no budget: 30% of the 5 s run timeout, shared by two
	} {
		p, msg := planBench(&BenchRequest{Pattern: c.pattern, BudgetMs: c.budget}, files, true, 5*time.Second)
		if msg != "" {
			t.Fatalf("%q: %s", c.pattern, msg)
		}
		if p.benchtime != c.want {
			t.Errorf("pattern %q, budget %d ms: benchtime %v, want %v", c.pattern, c.budget, p.benchtime, c.want)
		}
	}
}

func TestBenchArgsRunNoTestUnlessAsked(t *testing.T) {
	p, _ := planBench(&BenchRequest{BudgetMs: 2000}, map[string]string{progTestName: twoBenchmarks}, true, 5*time.Second)
	want := []string{"-test.v", "-test.run=^$", "-test.bench=.", "-test.benchmem", "-test.benchtime=1s"}
	if !slices.Equal(p.args(), want) {
		t.Errorf("args %q, want %q", p.args(), want)
	}
	p, _ = planBench(&BenchRequest{Pattern: "A", Run: "TestC", BudgetMs: 500}, map[string]string{progTestName: twoBenchmarks},
		true, 5*time.Second)
	want = []string{"-test.v", "-test.run=TestC", "-test.bench=A", "-test.benchmem", "-test.benchtime=500ms"}
	if !slices.Equal(p.args(), want) {
		t.Errorf("args %q, want %q", p.args(), want)
	}
}

func TestBenchWithoutBenchmarksSaysWhy(t *testing.T) {
	for name, c := range map[string]struct {
		files   map[string]string
		isTest  bool
		pattern string
		want    string
	}{
		"a program with main": {map[string]string{progName: hello}, false, "", noBenchmarksNotTest},
		"tests only": {map[string]string{progTestName: "package main\n\nimport \"testing\"\n\nfunc TestX(t *testing.T) {}\n"},
			true, "", noBenchmarks},
		"no match": {map[string]string{progTestName: twoBenchmarks}, true, "Sort",
			`no benchmark matches benchPattern "Sort": the program has BenchmarkA, BenchmarkB`},
		"bad pattern": {map[string]string{progTestName: twoBenchmarks}, true, "(", "benchPattern: error parsing regexp"},
	} {
		_, msg := planBench(&BenchRequest{Pattern: c.pattern}, c.files, c.isTest, 5*time.Second)
		if !strings.HasPrefix(msg, c.want) {
			t.Errorf("%s: %q, want %q", name, msg, c.want)
		}
	}
	// A test program go test would refuse runs, so that the build says why, with the whole budget.
	p, msg := planBench(&BenchRequest{BudgetMs: 800}, map[string]string{progTestName: "package main\n\nimport \"testing\"\n\n" +
		"func BenchmarkA(b *testing.B) {}\n\nfunc BenchmarkB(t *testing.T) {}\n"}, true, 5*time.Second)
	if msg != "" || p.benchtime != 800*time.Millisecond {
		t.Errorf("a program with a wrong signature: %q, %v", msg, p)
	}
}

func TestRealClockBuildsWithoutFaketime(t *testing.T) {
	if got := strings.Join(goBuildArgs(true, true, false), " "); got != "test -c -vet=off -ldflags=-s -w -o "+binaryPath+" ." {
		t.Errorf("real clock test build: %s", got)
	}
	if got := strings.Join(goBuildArgs(false, false, true), " "); got != "build -n -tags=faketime -ldflags=-s -w -o "+binaryPath+" ." {
		t.Errorf("fake clock build: %s", got)
	}
}

// runScript runs a shell script as the program, as runProgram runs the built binary.
func runScript(t *testing.T, script string, raw bool) *Result {
	t.Helper()
	if err := os.MkdirAll(workDir, 0o755); err != nil { // the program's working directory
		t.Fatal(err)
	}
	if err := os.WriteFile(binaryPath, []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(binaryPath) })
	res := &Result{}
	runProgram(res, 20*time.Second, 1<<20, 0, nil, raw)
	if res.RunCpuMs == nil || res.MaxRssBytes == nil {
		t.Fatalf("no usage reported: %+v", res)
	}
	return res
}

func TestUsageCountsTheProgramsCPUAndItsWaitedChildrensPeakMemory(t *testing.T) {
	busy := runScript(t, "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; echo $i\n", false)
	if string(busy.Stdout) != "200000\n" || *busy.RunCpuMs < 50 || *busy.RunCpuMs > busy.RunMs+20 {
		t.Errorf("busy loop: output %q, %d ms CPU in %d ms", busy.Stdout, *busy.RunCpuMs, busy.RunMs)
	}
	// dd reads 64 MiB into one buffer it allocated: its peak reaches the shell that waited for it.
	mem := runScript(t, "dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; echo done\n", false)
	if *mem.MaxRssBytes < 64<<20 || *busy.MaxRssBytes >= 64<<20 {
		t.Errorf("peak memory: %d bytes with dd of 64 MiB, %d bytes without", *mem.MaxRssBytes, *busy.MaxRssBytes)
	}
}

func TestUsageIsAbsentWhenTheProgramNeverStarted(t *testing.T) {
	os.Remove(binaryPath)
	res := &Result{}
	runProgram(res, time.Second, 1<<20, 0, nil, false)
	if res.RunCpuMs != nil || res.MaxRssBytes != nil || res.ExitCode != -1 {
		t.Errorf("a program that never started: %+v", res)
	}
}

func TestRawOutputCountsEveryByteSoForgedFramesBuyNothing(t *testing.T) {
	s, _ := newShared(10)
	w := &limited{shared: s, raw: true}
	w.Write(frame("")) // 16 bytes of a frame header carrying no payload
	if !s.overflowed() {
		t.Error("a raw program's 16 bytes did not overflow a limit of 10")
	}
}
