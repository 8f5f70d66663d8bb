package main

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// The sandbox's three identities. The runner is PID 1 and root inside the container, holding only
// CAP_SETUID, CAP_SETGID and CAP_KILL (the server's docker wrapper grants nothing else); the build
// tools and the program each run under their own uid with no capabilities, so the program can
// neither signal the runner nor open /proc/1/fd/*, and cannot touch the build's outputs.
const (
	builderUID = 65533
	programUID = 65534
)

// identities says whose credentials the build tools and the program get; nil runs them as the runner
// itself (the image build's warm-up, and tests outside a container).
type identities struct {
	builder *syscall.Credential
	program *syscall.Credential
}

// sandboxIdentities splits identities only when the runner is the container's root PID 1.
func sandboxIdentities() identities {
	if os.Getpid() != 1 || os.Getuid() != 0 {
		return identities{}
	}
	return identities{
		builder: &syscall.Credential{Uid: builderUID, Gid: builderUID, Groups: []uint32{}},
		program: &syscall.Credential{Uid: programUID, Gid: programUID, Groups: []uint32{}},
	}
}

// dropEnvironment re-executes PID 1 with an empty environment: gVisor lets any uid read
// /proc/1/environ, so the runner keeps nothing there and gives each child an explicit environment.
func dropEnvironment() {
	if os.Getpid() != 1 || len(os.Environ()) == 0 {
		return
	}
	if exe, err := os.Executable(); err == nil {
		syscall.Exec(exe, os.Args, []string{}) // on failure we carry on with the environment we have
	}
}

// toolEnv is the whole environment of the go command and the compiler tools. The module cache is
// read-only and is also the proxy: modules the image has resolve offline, any other fails at once.
var toolEnv = []string{
	"PATH=" + goRoot + "/bin:/usr/local/bin:/usr/bin:/bin",
	"GOROOT=" + goRoot,
	"GOCACHE=" + prebuiltCache,
	"GOPATH=/tmp/gopath",
	"GOMODCACHE=" + modCacheTmp,
	"HOME=/tmp",
	"TMPDIR=/tmp",
	"GOTOOLCHAIN=local",
	"CGO_ENABLED=0",
	"GOPROXY=" + modProxy,
	"GOSUMDB=off",
	"GOFLAGS=-mod=mod",
	"GOTELEMETRY=off",
}

// toolEnvWith is toolEnv with some variables replaced or added.
func toolEnvWith(vars ...string) []string { return envWith(toolEnv, vars...) }

// envWith is base with some variables replaced or added.
func envWith(base []string, vars ...string) []string {
	env := append([]string(nil), base...)
	for _, v := range vars {
		name, _, _ := strings.Cut(v, "=")
		i := slices.IndexFunc(env, func(e string) bool { return strings.HasPrefix(e, name+"=") })
		if i < 0 {
			env = append(env, v)
		} else {
			env[i] = v
		}
	}
	return env
}

// programEnv is the whole environment of the user's program.
var programEnv = []string{"HOME=/tmp", "TMPDIR=/tmp", "PATH=/usr/local/bin:/usr/bin:/bin"}

// RLIMIT_AS and RLIMIT_NPROC on linux (amd64 and arm64 alike).
const (
	rlimitAS    = 9
	rlimitNPROC = 6
)

// limitedExecFlag makes the runner a shim: it lowers its own address-space limit, then becomes the program
// (same pid, process group and uid). A process cannot set a limit on a process of another uid without
// CAP_SYS_RESOURCE, and this way the program is limited before it executes a single instruction.
const limitedExecFlag = "-exec-limited"

// limitedCommand returns the argv that runs binary under an address-space limit of bytes (none if 0).
func limitedCommand(bytes int64, binary string, args ...string) (string, []string) {
	if bytes <= 0 {
		return binary, args
	}
	return runnerPath, append([]string{limitedExecFlag, strconv.FormatInt(bytes, 10), binary}, args...)
}

// execLimited is the shim's whole job; it returns only on failure.
func execLimited(args []string) error {
	if len(args) < 2 {
		return fmt.Errorf("usage: %s BYTES BINARY [ARGS...]", limitedExecFlag)
	}
	bytes, err := strconv.ParseUint(args[0], 10, 64)
	if err != nil {
		return fmt.Errorf("bad limit %q", args[0])
	}
	if err := syscall.Setrlimit(rlimitAS, &syscall.Rlimit{Cur: bytes, Max: bytes}); err != nil {
		return fmt.Errorf("cannot limit the address space: %v", err)
	}
	return syscall.Exec(args[1], args[1:], os.Environ())
}

// processLimit is RLIMIT_NPROC (set by docker for the whole container, counted per uid: processes
// and threads), or 0 when unlimited.
func processLimit() int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(rlimitNPROC, &rl); err != nil || rl.Cur > 1<<20 {
		return 0
	}
	return int(rl.Cur)
}

// countTasks counts the processes and threads that uid owns now, from /proc.
func countTasks(procDir string, uid int) int {
	entries, err := os.ReadDir(procDir)
	if err != nil {
		return 0
	}
	want := strconv.Itoa(uid)
	n := 0
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		status, err := os.ReadFile(procDir + "/" + e.Name() + "/status")
		if err != nil {
			continue
		}
		owner, threads := "", 1
		for _, line := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(line, "Uid:"); ok {
				if f := strings.Fields(v); len(f) > 0 {
					owner = f[0]
				}
			} else if v, ok := strings.CutPrefix(line, "Threads:"); ok {
				if t, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
					threads = t
				}
			}
		}
		if owner == want {
			n += threads
		}
	}
	return n
}
