package main

import (
	"bufio"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// importcfgPath lists every standard package's compiled export data in GOCACHE (written by -warm).
const importcfgPath = "/usr/local/lib/compilerd/importcfg"

// fastBuild compiles and links a single-package, standard-library-only main program by calling the
// compiler and linker directly, skipping the go command's module loading and action hashing
// (about 0.2 s instead of 0.8 s for hello world under gVisor). It returns handled=false whenever the
// program needs anything the go command would do differently, and the caller then uses go build.
func fastBuild(timeout time.Duration, files map[string]string) (out []byte, ok, timedOut, handled bool) {
	std, err := readImportcfg()
	if err != nil {
		return nil, false, false, false
	}
	sources, simple := simpleMainPackage(files, std)
	if !simple {
		return nil, false, false, false
	}
	tools := filepath.Join(os.Getenv("GOROOT"), "pkg", "tool", runtime.GOOS+"_"+runtime.GOARCH)
	deadline := time.Now().Add(timeout)
	args := append([]string{"-o", "/tmp/play.a", "-p", "main", "-lang=go1.24", "-complete",
		"-nolocalimports", "-importcfg", importcfgPath, "-pack"}, sources...)
	out, ok, timedOut = tool(deadline, filepath.Join(tools, "compile"), args...)
	if !ok {
		if strings.Contains(string(out), "could not import") {
			return nil, false, false, false // the prebuilt cache is not what we expected: let go build decide
		}
		return append([]byte("# play\n"), out...), false, timedOut, true
	}
	out, ok, timedOut = tool(deadline, filepath.Join(tools, "link"), "-o", binaryPath, "-importcfg",
		importcfgPath, "-buildmode=exe", "-s", "-w", "/tmp/play.a")
	return out, ok, timedOut, true
}

func tool(deadline time.Time, path string, args ...string) ([]byte, bool, bool) {
	left := time.Until(deadline)
	if left <= 0 {
		return nil, false, true
	}
	return runTool(left, path, args...)
}

// simpleMainPackage reports whether every file is a top-level package main .go file that go build would
// include with -tags=faketime, with no cgo or embed and only standard imports; it returns ./name paths.
func simpleMainPackage(files map[string]string, std map[string]bool) ([]string, bool) {
	ctxt := build.Default
	ctxt.BuildTags = []string{"faketime"}
	ctxt.CgoEnabled = false
	var sources []string
	for name, content := range files {
		if strings.Contains(name, "/") || name == "go.mod" || name == "go.sum" || !strings.HasSuffix(name, ".go") {
			return nil, false
		}
		if match, err := ctxt.MatchFile(workDir, name); err != nil || !match {
			return nil, false
		}
		if strings.Contains(content, "//go:embed") || strings.Contains(content, "//go:linkname") {
			return nil, false
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, content, parser.ImportsOnly)
		if err != nil {
			return nil, false
		}
		if f.Name.Name != "main" {
			return nil, false
		}
		for _, imp := range f.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			if err != nil || !std[path] || strings.Contains(path, "internal") {
				return nil, false
			}
		}
		sources = append(sources, "./"+name)
	}
	return sources, len(sources) > 0
}

func readImportcfg() (map[string]bool, error) {
	f, err := os.Open(importcfgPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	std := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimPrefix(sc.Text(), "packagefile ")
		if pkg, _, found := strings.Cut(line, "="); found {
			std[pkg] = true
		}
	}
	return std, sc.Err()
}
