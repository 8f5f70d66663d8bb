// Command runner is the sandbox image's entrypoint: it builds and runs one Go program inside the
// container and reports the outcome as one bounded JSON line (protocol in ../README.md).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// Limits that hold whatever the header says: the server sends smaller ones.
const (
	readyLine        = "compilerd-runner ready v2"
	goRoot           = "/usr/lib/go-1.24"
	goTool           = goRoot + "/bin/go"
	runnerPath       = "/usr/local/bin/runner"
	maxHeaderBytes   = 8 << 20 // a 1 MiB program JSON-escaped, with room
	maxFiles         = 32
	maxFileNameLen   = 128
	maxPathDepth     = 4
	maxOutputLimit   = 1 << 20
	maxErrorsBytes   = 64 << 10
	maxTimeout       = 60 * time.Second
	defaultBuild     = 10 * time.Second
	defaultRun       = 5 * time.Second
	defaultOutput    = 64 << 10
	workDir          = "/tmp/play"
	binaryPath       = "/tmp/play.bin"
	defaultGoModFile = "module play\n\ngo 1.24\n"
)

// Header is the one JSON line the server writes to stdin.
type Header struct {
	Files          map[string]string `json:"files"`
	Vet            bool              `json:"vet"`
	BuildTimeoutMs int64             `json:"buildTimeoutMs"`
	RunTimeoutMs   int64             `json:"runTimeoutMs"`
	OutputLimit    int               `json:"outputLimit"`
	AddressSpace   int64             `json:"addressSpace"` // the program's RLIMIT_AS in bytes; 0 = none
	// noFast forces go build; the warm-up uses it so the go command's cache is complete.
	noFast bool
}

// Result is the one JSON line the runner writes to stdout after the ready line.
type Result struct {
	Phase          string `json:"phase"` // "setup", "build" or "run": where the run ended
	Errors         string `json:"errors,omitempty"`
	VetRan         bool   `json:"vetRan"`
	VetOK          bool   `json:"vetOK"`
	VetErrors      string `json:"vetErrors,omitempty"`
	IsTest         bool   `json:"isTest"`
	Stdout         []byte `json:"stdout"`
	Stderr         []byte `json:"stderr"`
	OutputTooLarge bool   `json:"outputTooLarge"`
	TimedOut       bool   `json:"timedOut"`
	ExitCode       int    `json:"exitCode"`
	Signal         string `json:"signal,omitempty"`
	ProcessLimit   int    `json:"processLimit,omitempty"` // set when the program ended at its process limit
	FastBuild      bool   `json:"fastBuild"`              // compiled and linked without the go command
	BuildMs        int64  `json:"buildMs"`
	RunMs          int64  `json:"runMs"`
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == limitedExecFlag {
		err := execLimited(os.Args[2:])
		fmt.Fprintln(os.Stderr, "runner:", err)
		os.Exit(126)
	}
	if len(os.Args) > 1 && os.Args[1] == "-warm" {
		if err := warm(); err != nil {
			fmt.Fprintln(os.Stderr, "runner: warm-up failed:", err)
			os.Exit(1)
		}
		return
	}
	dropEnvironment()
	ids = sandboxIdentities()
	protectRunner()
	fmt.Println(readyLine)
	header, err := readHeader(os.Stdin)
	var res *Result
	if err != nil {
		res = &Result{Phase: "setup", Errors: err.Error()}
	} else {
		res = handle(header)
	}
	killEverythingElse()
	// Only the runner can write here (the program runs under another uid): the result is the one line
	// after the ready line, and the server trusts nothing else.
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		fmt.Fprintln(os.Stderr, "runner: writing result:", err)
		os.Exit(1)
	}
}

// ids holds the credentials of the build tools and the program (see identity.go).
var ids identities

// protectRunner is defence in depth behind the uid split: stray SIGTERM and friends get a handler
// (handlers reset on exec, so the program keeps default signals), and the runner is non-dumpable.
func protectRunner() {
	signal.Notify(make(chan os.Signal, 1), syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT)
	const prSetDumpable = 4
	syscall.RawSyscall(syscall.SYS_PRCTL, prSetDumpable, 0, 0)
}

// killEverythingElse ends every other process in the container (CAP_KILL reaches the program's uid)
// before the result is written. Only as PID 1, i.e. inside the container.
func killEverythingElse() {
	if os.Getpid() == 1 {
		syscall.Kill(-1, syscall.SIGKILL)
	}
}

// readHeader reads and validates the single header line, refusing anything over maxHeaderBytes.
func readHeader(r io.Reader) (*Header, error) {
	br := bufio.NewReaderSize(io.LimitReader(r, maxHeaderBytes+1), 64<<10)
	line, err := br.ReadBytes('\n')
	if len(line) > maxHeaderBytes {
		return nil, fmt.Errorf("header over %d bytes", maxHeaderBytes)
	}
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("reading header: %v", err)
	}
	var h Header
	if err := json.Unmarshal(line, &h); err != nil {
		return nil, fmt.Errorf("bad header: %v", err)
	}
	if len(h.Files) == 0 {
		return nil, fmt.Errorf("no files in header")
	}
	h.BuildTimeoutMs = min(h.BuildTimeoutMs, maxTimeout.Milliseconds())
	h.RunTimeoutMs = min(h.RunTimeoutMs, maxTimeout.Milliseconds())
	h.OutputLimit = min(h.OutputLimit, maxOutputLimit)
	return &h, nil
}

func (h *Header) buildTimeout() time.Duration { return bounded(h.BuildTimeoutMs, defaultBuild) }
func (h *Header) runTimeout() time.Duration   { return bounded(h.RunTimeoutMs, defaultRun) }

func (h *Header) outputLimit() int {
	if h.OutputLimit <= 0 {
		return defaultOutput
	}
	return h.OutputLimit
}

func bounded(ms int64, def time.Duration) time.Duration {
	d := time.Duration(ms) * time.Millisecond
	if d <= 0 {
		return def
	}
	return d
}

// handle writes the files, optionally vets, builds and runs the program.
func handle(h *Header) *Result {
	if err := writeFiles(workDir, h.Files); err != nil {
		return &Result{Phase: "setup", Errors: err.Error()}
	}
	isTest, err := isTestProgram(workDir)
	if err != nil {
		// A parse error: let the compiler report it in its own words.
		isTest = false
	}
	res := &Result{Phase: "build", IsTest: isTest}
	var renamed map[string]string
	if isTest {
		// go test only compiles tests from _test.go files, as the Go playground also arranges.
		if renamed, err = renameForTest(workDir); err != nil {
			return &Result{Phase: "setup", Errors: err.Error()}
		}
	}
	start := time.Now()
	var plan *direct
	if !isTest && !h.noFast {
		plan = planDirect(h.Files)
	}
	if h.Vet {
		var out []byte
		var ok, timedOut bool
		if plan != nil {
			out, ok, timedOut = plan.vet(h.buildTimeout())
		} else {
			out, ok, timedOut = runTool(h.buildTimeout(), goTool, "vet", "-tags=faketime", ".")
		}
		res.VetRan = true
		res.VetOK = ok
		if timedOut {
			res.TimedOut = true
			res.Errors = "timeout running go vet"
			return res
		}
		if !ok {
			res.VetErrors = clean(out, renamed)
		}
	}
	var out []byte
	var ok, timedOut, handled bool
	if plan != nil {
		out, ok, timedOut, handled = plan.build(h.buildTimeout() - time.Since(start))
		res.FastBuild = handled
	}
	if !handled {
		args := []string{"build", "-tags=faketime", "-o", binaryPath, "."}
		if isTest {
			args = []string{"test", "-c", "-tags=faketime", "-o", binaryPath, "."}
		}
		out, ok, timedOut = runTool(h.buildTimeout()-time.Since(start), goTool, args...)
	}
	res.BuildMs = time.Since(start).Milliseconds()
	if timedOut {
		res.TimedOut = true
		res.Errors = "timeout running go build"
		return res
	}
	if !ok {
		res.Errors = clean(out, renamed)
		if h.Vet && !res.VetOK {
			// Vet failed for the same reason the build did; the build's message says it.
			res.VetErrors = ""
		}
		return res
	}
	res.Phase = "run"
	var runArgs []string
	if isTest {
		runArgs = []string{"-test.v"}
	}
	runProgram(res, h.runTimeout(), h.outputLimit(), h.AddressSpace, runArgs)
	return res
}

// clean bounds compiler output, removes the sandbox's directory so users see ./prog.go, and
// shows test-mode files under the names the user gave them.
func clean(out []byte, renamed map[string]string) string {
	if len(out) > maxErrorsBytes {
		out = append(out[:maxErrorsBytes:maxErrorsBytes], "\n[output truncated]\n"...)
	}
	s := strings.ReplaceAll(string(out), workDir+"/", "./")
	s = strings.ReplaceAll(s, workDir, ".")
	for from, to := range renamed {
		s = strings.ReplaceAll(s, "./"+from+":", "./"+to+":")
	}
	return s
}
