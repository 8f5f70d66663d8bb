package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// waitDelay bounds how long we wait for pipes held open by processes that escaped the kill.
const waitDelay = 500 * time.Millisecond

// command prepares cmd to run as cred (nil: as the runner) with exactly env, in its own process group
// so a deadline kills every descendant.
func command(ctx context.Context, cred *syscall.Credential, env []string, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = workDir
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: cred}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = waitDelay
	return cmd
}

// runTool runs a build tool with env and a deadline, returning bounded combined output.
func runTool(timeout time.Duration, env []string, name string, args ...string) (out []byte, ok bool, timedOut bool) {
	return runToolWith(timeout, env, nil, contract.MaxErrorsBytes, name, args...)
}

// runToolWith is runTool with stdin (nil: none) and a bound on the output it keeps.
func runToolWith(timeout time.Duration, env []string, stdin []byte, limit int, name string, args ...string) (out []byte, ok bool, timedOut bool) {
	if timeout <= 0 {
		return nil, false, true
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := command(ctx, ids.builder, env, name, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	buf := &capped{limit: limit}
	cmd.Stdout, cmd.Stderr = buf, buf
	err := cmd.Run()
	if ctx.Err() != nil {
		return buf.bytes(), false, true
	}
	if err != nil && buf.len() == 0 {
		buf.Write([]byte(err.Error()))
	}
	return buf.bytes(), err == nil, false
}

// runProgram runs the built binary as the program's uid with the soft run deadline, a shared cap on
// stdout+stderr and an address-space limit, notes whether it ended at its process limit, and what it cost.
// A raw program (real clock) writes no playback frames: every byte it writes counts against the cap.
func runProgram(res *Result, timeout time.Duration, limit int, addressSpace int64, args []string, raw bool) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	nproc := 0
	if ids.program == nil {
		addressSpace = 0 // outside the sandbox (warm-up, tests) the program runs as the runner, unlimited
	} else {
		nproc = processLimit()
	}
	name, argv := limitedCommand(addressSpace, binaryPath, args...)
	cmd := command(ctx, ids.program, programEnv, name, argv...)
	atLimit := func() bool {
		return nproc > 0 && countTasks("/proc", programUID)*10 >= nproc*9
	}
	cancelGroup := cmd.Cancel
	cmd.Cancel = func() error {
		// Stopped first, so a process bomb neither grows nor starves the count of CPU; counted before the
		// kill, while it is still there.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGSTOP)
		if atLimit() {
			res.ProcessLimit = nproc
		}
		return cancelGroup()
	}
	shared := &sharedLimit{left: limit, rawLeft: contract.rawLimit(limit), onOverflow: cancel}
	stdout, stderr := &limited{shared: shared, raw: raw}, &limited{shared: shared, raw: raw}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	start := time.Now()
	err := cmd.Run()
	res.RunMs = time.Since(start).Milliseconds()
	res.RunCpuMs, res.MaxRssBytes = usage(cmd.ProcessState)
	if res.ProcessLimit == 0 && err != nil && atLimit() {
		res.ProcessLimit = nproc
	}
	res.Stdout, res.Stderr = stdout.buf.Bytes(), stderr.buf.Bytes()
	res.OutputTooLarge = shared.overflowed()
	res.TimedOut = !res.OutputTooLarge && errors.Is(ctx.Err(), context.DeadlineExceeded)
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		res.ExitCode = 0
	case errors.As(err, &exitErr):
		res.ExitCode = exitErr.ExitCode()
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			res.Signal = ws.Signal().String()
			res.ExitCode = 128 + int(ws.Signal())
		}
	default:
		res.ExitCode = -1
		res.Errors = err.Error()
	}
}

// usage is the CPU time (user + system) and peak resident memory of a program the runner waited for, its
// own and that of the children it waited for in turn (wait4's rusage); nil when it never started.
func usage(ps *os.ProcessState) (cpuMs, maxRssBytes *int64) {
	if ps == nil {
		return nil, nil
	}
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return nil, nil
	}
	cpu := (ps.UserTime() + ps.SystemTime()).Milliseconds()
	rss := int64(ru.Maxrss) * 1024 // kilobytes on Linux
	return &cpu, &rss
}

// sharedLimit counts the payload bytes of stdout and stderr together (faketime framing is free, up to a
// raw cap), and cancels the program once it is over.
type sharedLimit struct {
	mu         sync.Mutex
	left       int
	rawLeft    int
	over       bool
	onOverflow func()
}

// take accounts for a write of raw bytes carrying payload bytes and returns how many raw bytes to keep.
func (s *sharedLimit) take(raw, payload int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	keep := raw
	if s.over {
		keep = 0
	} else if payload > s.left || raw > s.rawLeft {
		s.over = true
		go s.onOverflow()
		keep = min(raw, s.rawLeft) // the server trims the payload to the limit
	}
	s.left -= min(payload, s.left)
	s.rawLeft -= keep
	return keep
}

func (s *sharedLimit) overflowed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.over
}

// limited keeps one stream's bytes while the shared limit allows, counting only payload bytes (all of
// them when raw).
type limited struct {
	shared *sharedLimit
	raw    bool
	meter  frameMeter
	buf    bytes.Buffer
}

func (l *limited) Write(p []byte) (int, error) {
	payload := len(p)
	if !l.raw {
		payload = l.meter.payload(p)
	}
	n := l.shared.take(len(p), payload)
	l.buf.Write(p[:n])
	return len(p), nil
}

// frameMeter follows faketime playback framing (00 00 'P' 'B', 8 bytes of time, 4 bytes of length,
// payload) across writes and counts payload bytes; bytes outside frames count as payload.
type frameMeter struct {
	header      [16]byte
	headerLen   int
	payloadLeft int
}

var frameMagic = [4]byte{0, 0, 'P', 'B'}

func (m *frameMeter) payload(p []byte) int {
	n := 0
	for len(p) > 0 {
		if m.payloadLeft > 0 {
			k := min(len(p), m.payloadLeft)
			n += k
			m.payloadLeft -= k
			p = p[k:]
			continue
		}
		if m.headerLen < 4 && p[0] != frameMagic[m.headerLen] {
			n += m.headerLen + 1 // not a header after all: what we held back is payload
			m.headerLen = 0
			p = p[1:]
			continue
		}
		m.header[m.headerLen] = p[0]
		m.headerLen++
		p = p[1:]
		if m.headerLen == len(m.header) {
			h := m.header[12:16]
			m.payloadLeft = int(h[0])<<24 | int(h[1])<<16 | int(h[2])<<8 | int(h[3])
			m.headerLen = 0
		}
	}
	return n
}

// capped is a goroutine-safe buffer that keeps the first limit bytes.
type capped struct {
	mu    sync.Mutex
	limit int
	buf   bytes.Buffer
}

func (c *capped) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if room := c.limit - c.buf.Len(); room > 0 {
		if len(p) > room {
			c.buf.Write(p[:room])
		} else {
			c.buf.Write(p)
		}
	}
	return len(p), nil
}

func (c *capped) bytes() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]byte(nil), c.buf.Bytes()...)
}

func (c *capped) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.Len()
}
