// Command playfmt formats a program's files the way the Go playground's /fmt does: gofmt (or goimports
// with -imports) for each .go file and golang.org/x/mod's formatter for each go.mod. The runner starts it
// under the build tools' uid with a deadline; it reads {"files": {name: source}} on stdin and writes
// {"files": {name: {"body": ..., "error": ...}}} on stdout.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"io"
	"os"
	"path"

	"golang.org/x/mod/modfile"
	"golang.org/x/tools/imports"
)

// maxInput bounds what playfmt reads: a request is at most a few hundred KiB.
const maxInput = 4 << 20

type request struct {
	Files map[string]string `json:"files"`
}

type formatted struct {
	Body  string `json:"body"`
	Error string `json:"error,omitempty"`
}

type response struct {
	Files map[string]formatted `json:"files"`
}

func main() {
	fixImports := flag.Bool("imports", false, "add and remove imports, as goimports does")
	flag.Parse()
	data, err := io.ReadAll(io.LimitReader(os.Stdin, maxInput+1))
	if err != nil || len(data) > maxInput {
		fmt.Fprintln(os.Stderr, "playfmt: input unreadable or over", maxInput, "bytes")
		os.Exit(2)
	}
	var req request
	if err := json.Unmarshal(data, &req); err != nil {
		fmt.Fprintln(os.Stderr, "playfmt: bad input:", err)
		os.Exit(2)
	}
	resp := response{Files: map[string]formatted{}}
	for name, src := range req.Files {
		if out, err, ok := formatFile(name, []byte(src), *fixImports); ok {
			f := formatted{Body: string(out)}
			if err != nil {
				f = formatted{Error: err.Error()}
			}
			resp.Files[name] = f
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(resp); err != nil {
		fmt.Fprintln(os.Stderr, "playfmt:", err)
		os.Exit(1)
	}
}

// formatFile formats one file as the playground does; ok is false for files it leaves alone.
func formatFile(name string, src []byte, fixImports bool) (out []byte, err error, ok bool) {
	switch {
	case path.Ext(name) == ".go":
		if fixImports {
			out, err = imports.Process(name, src, nil)
		} else if out, err = format.Source(src); err != nil {
			// Unlike imports.Process, format.Source does not name the file.
			err = fmt.Errorf("%s:%v", name, err)
		}
		return out, err, true
	case path.Base(name) == "go.mod":
		f, err := modfile.Parse(name, src, nil)
		if err != nil {
			return nil, err, true
		}
		out, err = f.Format()
		return out, err, true
	}
	return nil, nil, false
}
