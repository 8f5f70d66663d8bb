// Command runner is the sandbox image's entrypoint: it builds and runs one Go program inside the
// container and reports the outcome as one bounded JSON line (protocol in ../README.md).
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// Paths and defaults of the image; the protocol's limits are in contract.json (contract.go).
const (
	goRoot        = "/usr/local/go" // a link to /usr/lib/go-X.Y, the image's one release
	goTool        = goRoot + "/bin/go"
	runnerPath    = "/usr/local/bin/runner"
	libDir        = "/usr/local/lib/compilerd" // written at image build: importcfg, packages, modules
	defaultBuild  = 10 * time.Second
	defaultRun    = 5 * time.Second
	defaultOutput = 64 << 10
	workDir       = "/tmp/play"
	binaryPath    = "/tmp/play.bin"
	prebuiltCache = "/gocache"     // the go command's build cache, filled at image build, read-only at run time
	progName      = "prog.go"      // the playground's name for the program's main file
	progTestName  = "prog_test.go" // what prog.go becomes in test mode, as in the playground
)

// Header is the one JSON line the server writes to stdin.
type Header struct {
	Info           bool              `json:"info"` // answer with the toolchain and module versions instead
	Files          map[string]string `json:"files"`
	Vet            bool              `json:"vet"`
	BuildTimeoutMs int64             `json:"buildTimeoutMs"`
	RunTimeoutMs   int64             `json:"runTimeoutMs"`
	OutputLimit    int               `json:"outputLimit"`
	AddressSpace   int64             `json:"addressSpace"`    // the program's RLIMIT_AS in bytes; 0 = none
	Fmt            *FmtRequest       `json:"fmt,omitempty"`   // format the files instead (format.go)
	Bench          *BenchRequest     `json:"bench,omitempty"` // run the benchmarks on the real clock (bench.go)
	// Modules turns the module relay on: the go command may fetch any module through the server (relay.go).
	Modules *ModuleSettings `json:"modules,omitempty"`
	// noFast forces the go command, and builds with experiments in the prebuilt cache itself: the
	// warm-up uses it so the go command's cache is complete.
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
	VetMs          int64  `json:"vetMs,omitempty"` // vet runs after a successful build, before the program
	// What the program cost, from the runner's wait on it (rusage): user + system CPU and peak resident memory.
	// Absent when it did not start.
	RunCpuMs    *int64 `json:"runCpuMs,omitempty"`
	MaxRssBytes *int64 `json:"maxRssBytes,omitempty"`
	// Set when the program ran its benchmarks on the real clock: its output is raw, not playback frames.
	RealClock bool   `json:"realClock,omitempty"`
	Benchtime string `json:"benchtime,omitempty"` // the -test.benchtime each benchmark had
	// Phase "fmt": each formatted file by name (format.go).
	Formatted map[string]Formatted `json:"formatted,omitempty"`
}

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case limitedExecFlag:
			err := execLimited(os.Args[2:])
			fmt.Fprintln(os.Stderr, "runner:", err)
			os.Exit(126)
		case "-bake-modules":
			exitOn("baking modules", bakeModules(os.Args[2:]))
			return
		case "-warm":
			exitOn("warm-up", warm(os.Args[2:]))
			return
		case layerCacheFlag:
			if len(os.Args) != 4 {
				exitOn("layering the build cache", errors.New("usage: runner -layer-cache DST SRC"))
			}
			exitOn("layering the build cache", layerCache(os.Args[2], os.Args[3]))
			return
		}
	}
	dropEnvironment()
	ids = sandboxIdentities()
	protectRunner()
	fmt.Println(contract.ReadyLine)
	ch := &channel{in: bufio.NewReaderSize(os.Stdin, 64<<10), out: &lockedWriter{w: os.Stdout}}
	header, err := readHeaderFrom(ch.in)
	var res any
	switch {
	case err != nil:
		res = &Result{Phase: "setup", Errors: err.Error()}
	case header.Info:
		res = info()
	case header.Fmt != nil:
		res = formatFiles(header)
	default:
		res = handle(header, ch)
	}
	killEverythingElse()
	// Only the runner can write here (the program runs under another uid): the result is the one line
	// after the ready line, and the server trusts nothing else.
	if err := ch.out.writeLine(res); err != nil {
		fmt.Fprintln(os.Stderr, "runner: writing result:", err)
		os.Exit(1)
	}
}

func exitOn(what string, err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "runner: %s failed: %v\n", what, err)
		os.Exit(1)
	}
}

// channel is the container's stdin and stdout after the ready line: the header and the module relay's
// answers come in; the relay's requests and the one result line go out, each line written whole.
type channel struct {
	in  *bufio.Reader
	out *lockedWriter
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

// readHeader reads and validates the single header line, refusing anything over the contract's
// maxHeaderBytes, and caps the limits it carries.
func readHeader(r io.Reader) (*Header, error) {
	return readHeaderFrom(bufio.NewReaderSize(r, 64<<10))
}

// readHeaderFrom is readHeader on the reader the module relay goes on reading answers from.
func readHeaderFrom(in *bufio.Reader) (*Header, error) {
	limit := contract.MaxHeaderBytes
	line, err := readLine(in, limit)
	switch {
	case err != nil && strings.HasPrefix(err.Error(), "line over"):
		return nil, fmt.Errorf("header over %d bytes", limit)
	case err != nil && err != io.EOF:
		return nil, fmt.Errorf("reading header: %v", err)
	}
	var h Header
	if err := json.Unmarshal(line, &h); err != nil {
		return nil, fmt.Errorf("bad header: %v", err)
	}
	if h.Info {
		return &h, nil
	}
	if len(h.Files) == 0 {
		return nil, fmt.Errorf("no files in header")
	}
	maxMs := contract.maxTimeout().Milliseconds()
	h.BuildTimeoutMs = min(h.BuildTimeoutMs, maxMs)
	h.RunTimeoutMs = min(h.RunTimeoutMs, maxMs)
	h.OutputLimit = min(h.OutputLimit, contract.MaxOutputLimit)
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

// Messages the playground gives in the same situations.
const (
	notMainMessage    = "package name must be main"
	buildTimeoutError = "timeout running go build"
	vetTimeoutError   = "timeout running go vet"
)

// handle writes the files, builds the program, vets it when asked and runs it. ch carries the module
// relay when the header asks for it (nil: no relay, as at image build).
func handle(h *Header, ch *channel) *Result {
	files := make(map[string]string, len(h.Files)+1)
	for name, content := range h.Files {
		files[name] = content
	}
	if err := checkFiles(files); err != nil {
		return &Result{Phase: "setup", Errors: err.Error()}
	}
	isTest := isTestProgram(files[progName])
	if isTest {
		// go test compiles tests only from _test.go files; the playground renames prog.go the same way,
		// and its errors then name prog_test.go.
		files[progTestName] = files[progName]
		delete(files, progName)
	}
	if notMain(files) {
		return &Result{Phase: "build", Errors: notMainMessage, IsTest: isTest}
	}
	var bench *benchPlan
	if h.Bench != nil {
		var msg string
		if bench, msg = planBench(h.Bench, files, isTest, h.runTimeout()); msg != "" {
			return &Result{Phase: "setup", Errors: msg, IsTest: isTest}
		}
	}
	if err := writeFiles(workDir, files); err != nil {
		return &Result{Phase: "setup", Errors: err.Error()}
	}
	res := &Result{Phase: "build", IsTest: isTest}
	mods := readModules()
	relayed := h.Modules != nil && ch != nil
	if msg, err := prepareModule(workDir, files, mods, relayed); err != nil {
		return &Result{Phase: "setup", Errors: err.Error()}
	} else if msg != "" {
		res.Errors = msg
		return res
	}
	if !buildAndVet(h, ch, files, isTest, bench != nil, mods, res) {
		return res
	}
	res.Phase = "run"
	var runArgs []string
	switch {
	case bench != nil:
		runArgs = bench.args()
		res.RealClock, res.Benchtime = true, bench.benchtime.String()
	case isTest:
		runArgs = []string{"-test.v"}
	}
	runProgram(res, h.runTimeout(), h.outputLimit(), h.AddressSpace, runArgs, bench != nil)
	return res
}

// buildAndVet builds the program and vets it when asked, within the build deadline and with the module
// relay open while they run (closed before the program starts), on fake time unless realClock (benchmarks);
// false when the program cannot run, res saying why.
func buildAndVet(h *Header, ch *channel, files map[string]string, isTest, realClock bool, mods *Modules,
	res *Result) bool {
	start := time.Now()
	deadline := start.Add(h.buildTimeout())
	env := toolEnv
	var plan *direct
	exp := experiments(files)
	if exp != "" {
		// The go command builds it (and names an unknown experiment in its own words).
		env = experimentEnv(env, exp)
	} else if !h.noFast {
		plan = planDirect(files, isTest, realClock)
	}
	relayed := h.Modules != nil && ch != nil
	if (relayed || notPrebuilt(exp) != "") && !h.noFast && (plan == nil || h.Vet) {
		// The go command indexes each module it downloads into its cache, and an experiment the image did not
		// prebuild needs packages the read-only cache lacks (it then fails with "package ... is not in std").
		var err error
		if env, err = withLayeredCache(env, deadline); err != nil {
			res.Phase, res.Errors = "setup", err.Error()
			if err.Error() == buildTimeoutError {
				res.Phase, res.TimedOut = "build", true
			}
			return false
		}
	}
	if relayed {
		r, err := startRelay(ch.in, ch.out)
		if err != nil {
			res.Phase, res.Errors = "setup", err.Error()
			return false
		}
		defer r.close()
		env = envWith(env, "GOPROXY="+bakedProxy+","+r.proxyURL(), "GOSUMDB="+h.Modules.sumdb())
	}
	out, ok, timedOut, fast := buildProgram(plan, isTest, realClock, mods, env, deadline)
	res.FastBuild = fast
	res.BuildMs = time.Since(start).Milliseconds()
	switch {
	case timedOut:
		res.TimedOut = true
		res.Errors = buildTimeoutError + notPrebuilt(exp)
		return false
	case !ok:
		// As in the playground, vet runs only for a program that builds: the build's errors say it all.
		res.Errors = clean(out)
		return false
	}
	if h.Vet {
		vetStart := time.Now()
		out, ok, timedOut := vet(env, deadline)
		res.VetRan, res.VetOK, res.VetMs = true, ok, time.Since(vetStart).Milliseconds()
		if timedOut {
			res.TimedOut = true
			res.Errors = vetTimeoutError
			return false
		}
		if !ok {
			res.VetErrors = clean(out)
		}
	}
	return true
}

// buildProgram compiles and links the program directly when plan allows, else with the go command; with
// fake time (playback frames, time starting in 2009), or for benchmarks on the real clock.
func buildProgram(plan *direct, isTest, realClock bool, mods *Modules, env []string, deadline time.Time) (out []byte, ok, timedOut, fast bool) {
	if plan != nil {
		out, ok, timedOut, handled := plan.build(deadline)
		if handled {
			return out, ok, timedOut, true
		}
	}
	if err := linkModuleCache(modCacheTmp, modCacheDir, mods); err != nil {
		return []byte(err.Error()), false, false, false
	}
	out, ok, timedOut = runTool(time.Until(deadline), env, goTool, goBuildArgs(isTest, realClock, false)...)
	return out, ok, timedOut, false
}

// goBuildArgs are the go command's arguments that build the program in workDir to binaryPath (-n: print
// the commands instead).
func goBuildArgs(isTest, realClock, dryRun bool) []string {
	args := []string{"build"}
	if isTest {
		// Vet findings are reported through withVet only, as for any other program.
		args = []string{"test", "-c", "-vet=off"}
	}
	if dryRun {
		args = append(args, "-n")
	}
	if !realClock {
		args = append(args, "-tags=faketime")
	}
	return append(args, "-ldflags=-s -w", "-o", binaryPath, ".")
}

// vet runs go vet within the build's deadline. Since Go 1.26 the go command talks to the vet tool in
// JSON through files of its own and caches the answer, so vet is never run directly. It runs only
// after a successful build, so go vet finds the module cache buildProgram linked.
func vet(env []string, deadline time.Time) (out []byte, ok, timedOut bool) {
	return runTool(time.Until(deadline), env, goTool, "vet", "-tags=faketime", ".")
}

// workDirAlone is the work directory named on its own, not as the prefix of a longer name.
var workDirAlone = regexp.MustCompile(regexp.QuoteMeta(workDir) + `([^\w./-]|$)`)

// bannerLine matches the go command's package headers: "# play", "# [play]", "# play [play.test]",
// "# command-line-arguments".
var bannerLine = regexp.MustCompile(`^# (\S+( \[\S+\])?|\[\S+\])$`)

// clean bounds compiler output, removes the sandbox's directory so users see ./prog.go, and drops
// the go command's package banners, as the playground does.
func clean(out []byte) string {
	if max := contract.MaxErrorsBytes; len(out) > max {
		out = append(out[:max:max], "\n[output truncated]\n"...)
	}
	s := strings.ReplaceAll(string(out), workDir+"/", "./")
	s = workDirAlone.ReplaceAllString(s, ".$1") // not /tmp/play.bin
	lines := strings.SplitAfter(s, "\n")
	kept := lines[:0]
	for _, line := range lines {
		if !bannerLine.MatchString(strings.TrimSuffix(line, "\n")) {
			kept = append(kept, line)
		}
	}
	return strings.Join(kept, "")
}
