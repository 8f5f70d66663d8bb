package main

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// BenchRequest asks for the program's benchmarks on the real clock instead of its tests on the fake one.
type BenchRequest struct {
	Pattern  string `json:"pattern"`  // -test.bench; "" means "." (every benchmark)
	Run      string `json:"run"`      // -test.run; "" means "^$" (no test, no example)
	BudgetMs int64  `json:"budgetMs"` // the run time all matching benchmarks share; 0: defaultBenchBudget
}

// Bounds of -test.benchtime: a benchmark never gets more than go test's default, nor less than minBenchtime.
// Without a budget from the server, the benchmarks share this much of the run timeout.
const (
	maxBenchtime      = time.Second
	minBenchtime      = time.Millisecond
	defaultBenchShare = 0.3
)

// Messages of a bench request that cannot run.
const (
	noBenchmarksNotTest = "no benchmarks to run: bench runs the Benchmark functions " +
		"(func BenchmarkXxx(b *testing.B)) of a test program, a package main without func main"
	noBenchmarks = "no benchmarks to run: the program has no func BenchmarkXxx(b *testing.B)"
)

// benchPlan is how the runner runs a program's benchmarks.
type benchPlan struct {
	pattern, run string
	benchtime    time.Duration
}

// planBench checks a bench request against the program (files as written, prog.go already renamed in test
// mode) and chooses -test.benchtime: the budget divided among the top-level benchmarks the pattern matches,
// within [minBenchtime, maxBenchtime]. A non-empty message says why nothing can run.
func planBench(req *BenchRequest, files map[string]string, isTest bool, runTimeout time.Duration) (*benchPlan, string) {
	p := &benchPlan{pattern: req.Pattern, run: req.Run}
	if p.pattern == "" {
		p.pattern = "."
	}
	if p.run == "" {
		p.run = "^$"
	}
	first, err := checkPattern("benchPattern", p.pattern)
	if err != nil {
		return nil, err.Error()
	}
	if _, err := checkPattern("benchRun", p.run); err != nil {
		return nil, err.Error()
	}
	if !isTest {
		return nil, noBenchmarksNotTest
	}
	matching := 1 // a program go test would refuse (the build says why) gets the whole budget
	var names []string
	sources := map[string]string{}
	for name, src := range files {
		if strings.HasSuffix(name, "_test.go") && !strings.Contains(name, "/") {
			names = append(names, name)
			sources[name] = src
		}
	}
	sort.Strings(names)
	if funcs, err := loadTestFuncs(names, sources); err == nil {
		if len(funcs.benchmarks) == 0 {
			return nil, noBenchmarks
		}
		matching = 0
		for _, b := range funcs.benchmarks {
			if first(b) {
				matching++
			}
		}
		if matching == 0 {
			return nil, fmt.Sprintf("no benchmark matches benchPattern %q: the program has %s", p.pattern,
				strings.Join(funcs.benchmarks, ", "))
		}
	}
	budget := time.Duration(req.BudgetMs) * time.Millisecond
	if budget <= 0 {
		budget = time.Duration(float64(runTimeout) * defaultBenchShare)
	}
	p.benchtime = min(maxBenchtime, max(minBenchtime, (budget/time.Duration(matching)).Truncate(time.Millisecond)))
	return p, ""
}

// args are the test binary's flags: verbose as any test run, only the tests p.run names, and the benchmarks
// with their allocations.
func (p *benchPlan) args() []string {
	return []string{"-test.v", "-test.run=" + p.run, "-test.bench=" + p.pattern, "-test.benchmem",
		"-test.benchtime=" + p.benchtime.String()}
}

// checkPattern checks a -test.bench or -test.run pattern as the testing package reads it (alternatives at
// top-level bars, levels at slashes, each a regular expression) and returns whether a top-level name matches.
func checkPattern(field, pattern string) (func(string) bool, error) {
	if max := contract.MaxBenchPatternBytes; len(pattern) > max {
		return nil, fmt.Errorf("%s is over %d bytes", field, max)
	}
	if strings.ContainsFunc(pattern, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return nil, fmt.Errorf("%s has a control character", field)
	}
	var firsts []*regexp.Regexp
	for _, alt := range splitPattern(pattern, '|') {
		for i, level := range splitPattern(alt, '/') {
			re, err := regexp.Compile(level)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", field, err)
			}
			if i == 0 {
				firsts = append(firsts, re)
			}
		}
	}
	return func(name string) bool {
		for _, re := range firsts {
			if re.MatchString(name) {
				return true
			}
		}
		return false
	}, nil
}

// splitPattern splits s at every sep outside brackets and parentheses (a backslash escapes the next byte), as
// the testing package splits its -test.run and -test.bench patterns.
func splitPattern(s string, sep byte) []string {
	var parts []string
	brackets, parens, start := 0, 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			brackets++
		case ']':
			brackets = max(0, brackets-1) // an unmatched ']' is a literal
		case '(':
			if brackets == 0 {
				parens++
			}
		case ')':
			if brackets == 0 {
				parens--
			}
		case '\\':
			i++
		case sep:
			if brackets == 0 && parens == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}
