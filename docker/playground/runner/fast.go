package main

import (
	"bufio"
	"encoding/json"
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

// direct is a program the runner can vet and build without the go command: one package main that
// imports only the standard library. Calling compile, link and vet directly skips the go command's
// module loading and action hashing (about 0.25 s instead of 2.8 s for vet + build of hello world
// under gVisor).
type direct struct {
	sources []string          // ./name.go, as go build passes them
	std     map[string]string // standard package -> its export data in GOCACHE
}

// planDirect returns how to build the program directly, or nil when anything about it needs the go
// command to behave exactly as go build and go vet do.
func planDirect(files map[string]string) *direct {
	std, err := readPackageFiles()
	if err != nil {
		return nil
	}
	sources, ok := simpleMainPackage(files, std)
	if !ok {
		return nil
	}
	return &direct{sources: sources, std: std}
}

func toolPath(name string) string {
	return filepath.Join(goRoot, "pkg", "tool", runtime.GOOS+"_"+runtime.GOARCH, name)
}

// build compiles and links; handled is false when the prebuilt cache is not what we expected, and
// the caller then uses go build.
func (d *direct) build(timeout time.Duration) (out []byte, ok, timedOut, handled bool) {
	start := time.Now()
	args := append([]string{"-o", "/tmp/play.a", "-p", "main", "-lang=go1.24", "-complete",
		"-nolocalimports", "-importcfg", importcfgPath, "-pack"}, d.sources...)
	out, ok, timedOut = runTool(timeout, toolPath("compile"), args...)
	if !ok {
		if strings.Contains(string(out), "could not import") {
			return nil, false, false, false
		}
		return append([]byte("# play\n"), out...), false, timedOut, true
	}
	out, ok, timedOut = runTool(timeout-time.Since(start), toolPath("link"), "-o", binaryPath, "-importcfg",
		importcfgPath, "-buildmode=exe", "-s", "-w", "/tmp/play.a")
	return out, ok, timedOut, true
}

// vet runs the vet tool with the config file go vet would write, without dependency facts (vet's
// printf and similar checks know the standard library's functions by name).
func (d *direct) vet(timeout time.Duration) (out []byte, ok, timedOut bool) {
	abs := make([]string, len(d.sources))
	for i, s := range d.sources {
		abs[i] = filepath.Join(workDir, strings.TrimPrefix(s, "./"))
	}
	importMap := make(map[string]string, len(d.std))
	standard := make(map[string]bool, len(d.std))
	for p := range d.std {
		importMap[p] = p
		standard[p] = true
	}
	cfg := map[string]any{
		"ID": "play", "Compiler": "gc", "Dir": workDir, "ImportPath": "play", "GoFiles": abs,
		"NonGoFiles": []string{}, "IgnoredFiles": []string{}, "ImportMap": importMap, "PackageFile": d.std,
		"Standard": standard, "PackageVetx": map[string]string{}, "VetxOnly": false,
		"VetxOutput": "/tmp/play.vetx", "GoVersion": "go1.24", "SucceedOnTypecheckFailure": false,
	}
	data, err := json.Marshal(cfg)
	if err == nil {
		err = os.WriteFile("/tmp/play.vet.cfg", data, 0o644)
	}
	if err != nil {
		return []byte(err.Error()), false, false
	}
	out, ok, timedOut = runTool(timeout, toolPath("vet"), "/tmp/play.vet.cfg")
	if !ok && len(out) > 0 {
		out = append([]byte("# play\n"), out...)
	}
	return out, ok, timedOut
}

// simpleMainPackage reports whether every file is a top-level package main .go file that go build would
// include with -tags=faketime, with no cgo or embed and only standard imports; it returns ./name paths.
func simpleMainPackage(files map[string]string, std map[string]string) ([]string, bool) {
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
			if _, known := std[path]; err != nil || !known || strings.Contains(path, "internal") || strings.HasPrefix(path, "vendor/") {
				return nil, false
			}
		}
		sources = append(sources, "./"+name)
	}
	return sources, len(sources) > 0
}

// readPackageFiles maps each standard package to its compiled export data in GOCACHE.
func readPackageFiles() (map[string]string, error) {
	f, err := os.Open(importcfgPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	std := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimPrefix(sc.Text(), "packagefile ")
		if pkg, file, found := strings.Cut(line, "="); found {
			std[pkg] = file
		}
	}
	return std, sc.Err()
}
