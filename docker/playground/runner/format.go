package main

import (
	"encoding/json"
	"fmt"
	"time"
)

// playfmtPath formats files as the playground's /fmt does (docker/playground/fmt, built at image build
// against the baked golang.org/x/tools and golang.org/x/mod).
const playfmtPath = "/usr/local/bin/playfmt"

// FmtRequest in a header asks for the files to be formatted instead of built and run.
type FmtRequest struct {
	Imports bool `json:"imports"` // goimports instead of gofmt, as the playground's imports=true
}

// Formatted is one file's formatted source, or why it could not be formatted.
type Formatted struct {
	Body  string `json:"body"`
	Error string `json:"error,omitempty"`
}

// formatError is the runner's answer when playfmt itself did not answer (its deadline, a crash).
const formatTimeoutError = "timeout running gofmt"

// formatFiles runs playfmt under the build tools' uid within the build deadline; the program is never
// built or run. Each .go file and go.mod gets its result; other files are left out (left as they are).
func formatFiles(h *Header) *Result {
	res := &Result{Phase: "fmt"}
	if err := checkFiles(h.Files); err != nil {
		res.Phase, res.Errors = "setup", err.Error()
		return res
	}
	if err := writeFiles(workDir, nil); err != nil { // the tools run in it
		res.Phase, res.Errors = "setup", err.Error()
		return res
	}
	in, err := json.Marshal(map[string]any{"files": h.Files})
	if err != nil {
		res.Errors = err.Error()
		return res
	}
	args := []string{}
	if h.Fmt.Imports {
		args = append(args, "-imports")
	}
	start := time.Now()
	// Formatting keeps about the input's size; a few times the largest header is more than enough.
	out, ok, timedOut := runToolWith(h.buildTimeout(), toolEnv, in, 4*contract.MaxHeaderBytes, playfmtPath, args...)
	res.BuildMs = time.Since(start).Milliseconds()
	switch {
	case timedOut:
		res.TimedOut = true
		res.Errors = formatTimeoutError
		return res
	case !ok:
		res.Errors = fmt.Sprintf("formatting failed: %s", clean(out))
		return res
	}
	var answer struct {
		Files map[string]Formatted `json:"files"`
	}
	if err := json.Unmarshal(out, &answer); err != nil {
		res.Errors = fmt.Sprintf("formatting failed: %v", err)
		return res
	}
	res.Formatted = answer.Files
	if res.Formatted == nil {
		res.Formatted = map[string]Formatted{}
	}
	return res
}
