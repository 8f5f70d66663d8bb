package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestResultIsExactlyOneJSONLine(t *testing.T) {
	res := &Result{Phase: "build", Errors: "./prog.go:1:1: a\n./prog.go:2:1: b\n", VetErrors: "x\r\ny",
		Stdout: []byte("line\nline\n\x00\xff"), Stderr: []byte("\n")}
	var buf bytes.Buffer
	if err := (&lockedWriter{w: &buf}).writeLine(res); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
		t.Fatalf("want one line ending in a newline, got %q", out)
	}
	var back Result
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Errors != res.Errors || !bytes.Equal(back.Stdout, res.Stdout) || back.Phase != "build" {
		t.Errorf("round trip lost data: %+v", back)
	}
}

func TestInfoAnswerIsOneLineWithPhaseInfo(t *testing.T) {
	var buf bytes.Buffer
	if err := (&lockedWriter{w: &buf}).writeLine(info()); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got["phase"] != "info" || !strings.HasPrefix(got["goVersion"].(string), "go") || got["modules"] == nil {
		t.Errorf("info answer %s", buf.String())
	}
	if strings.Count(buf.String(), "\n") != 1 {
		t.Errorf("info answer is not one line: %q", buf.String())
	}
}

func TestHeaderUpToTheLimitIsRead(t *testing.T) {
	over := `{"files":{"prog.go":"` + strings.Repeat("x", contract.MaxHeaderBytes) + `"}}`
	// A header whose line (newline included) is exactly maxHeaderBytes is accepted.
	pad := contract.MaxHeaderBytes - len(`{"files":{"prog.go":""}}`) - 1
	exact := `{"files":{"prog.go":"` + strings.Repeat("x", pad) + `"}}` + "\n"
	if len(exact) != contract.MaxHeaderBytes {
		t.Fatalf("test header is %d bytes", len(exact))
	}
	h, err := readHeader(strings.NewReader(exact + "trailing bytes are ignored"))
	if err != nil {
		t.Fatalf("header of exactly maxHeaderBytes refused: %v", err)
	}
	if len(h.Files["prog.go"]) != pad {
		t.Errorf("program of %d bytes, want %d", len(h.Files["prog.go"]), pad)
	}
	if _, err := readHeader(strings.NewReader(over + "\n")); err == nil || !strings.Contains(err.Error(), "header over") {
		t.Errorf("header over maxHeaderBytes: err = %v", err)
	}
}

func TestHeaderLimitsAreCapped(t *testing.T) {
	h, err := readHeader(strings.NewReader(`{"files":{"prog.go":"package main"},"buildTimeoutMs":999999999,` +
		`"runTimeoutMs":999999999,"outputLimit":999999999}`))
	if err != nil {
		t.Fatal(err)
	}
	if h.buildTimeout() != contract.maxTimeout() || h.runTimeout() != contract.maxTimeout() {
		t.Errorf("timeouts %v %v not capped at %v", h.buildTimeout(), h.runTimeout(), contract.maxTimeout())
	}
	if h.outputLimit() != contract.MaxOutputLimit {
		t.Errorf("output limit %d not capped at %d", h.outputLimit(), contract.MaxOutputLimit)
	}
	h, _ = readHeader(strings.NewReader(`{"files":{"prog.go":"package main"}}` + "\n"))
	if h.buildTimeout() != defaultBuild || h.runTimeout() != defaultRun || h.outputLimit() != defaultOutput {
		t.Errorf("defaults: %v %v %d", h.buildTimeout(), h.runTimeout(), h.outputLimit())
	}
}

func TestBadHeadersAreRefused(t *testing.T) {
	for _, in := range []string{"", "\n", "not json\n", `{"files":{}}` + "\n", `{"vet":true}` + "\n", `{"files":{"a":1}}` + "\n"} {
		if _, err := readHeader(strings.NewReader(in)); err == nil {
			t.Errorf("readHeader(%q) accepted it", in)
		}
	}
}

func TestInfoHeaderNeedsNoFiles(t *testing.T) {
	h, err := readHeader(strings.NewReader(`{"info":true}` + "\n"))
	if err != nil || !h.Info {
		t.Errorf("info header: %+v, %v", h, err)
	}
}

func TestCleanStripsBannersAndTheSandboxDirectory(t *testing.T) {
	for in, want := range map[string]string{
		"# play\n/tmp/play/prog.go:5:2: undefined: x\n":                       "./prog.go:5:2: undefined: x\n",
		"# command-line-arguments\n./prog.go:5:2: x\n":                        "./prog.go:5:2: x\n",
		"# play\n# [play]\n./prog.go:8:2: fmt.Printf format %d has arg\n":     "./prog.go:8:2: fmt.Printf format %d has arg\n",
		"# play [play.test]\n./prog_test.go:5:2: undefined: y\n":              "./prog_test.go:5:2: undefined: y\n",
		"# play/sub\nsub/a.go:1:1: x\n# play\n./prog.go:2:2: y\n":             "sub/a.go:1:1: x\n./prog.go:2:2: y\n",
		"./prog.go:1:1: # play is not a banner here\n":                        "./prog.go:1:1: # play is not a banner here\n",
		"go: finding module for package example.com/x\n# play\n./prog.go:1\n": "go: finding module for package example.com/x\n./prog.go:1\n",
		"cd /tmp/play: x\nfork/exec /tmp/play.bin: y\nin /tmp/play\n":         "cd .: x\nfork/exec /tmp/play.bin: y\nin .\n",
	} {
		if got := clean([]byte(in)); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCleanBoundsItsOutput(t *testing.T) {
	got := clean(bytes.Repeat([]byte("e"), contract.MaxErrorsBytes*2))
	if len(got) > contract.MaxErrorsBytes+64 || !strings.HasSuffix(got, "[output truncated]\n") {
		t.Errorf("%d bytes, ends %q", len(got), got[len(got)-30:])
	}
}
