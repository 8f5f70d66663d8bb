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

// fastVet runs the vet tool directly with a config the go command would write, without dependency
// facts (vet's printf and similar checks know the standard library's functions by name). It returns
// handled=false when the program needs go vet itself.
func fastVet(timeout time.Duration, files map[string]string) (out []byte, ok, timedOut, handled bool) {
	std, err := readPackageFiles()
	if err != nil {
		return nil, false, false, false
	}
	stdSet := make(map[string]bool, len(std))
	for k := range std {
		stdSet[k] = true
	}
	sources, simple := simpleMainPackage(files, stdSet)
	if !simple {
		return nil, false, false, false
	}
	abs := make([]string, len(sources))
	for i, s := range sources {
		abs[i] = filepath.Join(workDir, strings.TrimPrefix(s, "./"))
	}
	importMap := map[string]string{}
	for p := range std {
		importMap[p] = p
	}
	cfg := map[string]any{
		"ID": "play", "Compiler": "gc", "Dir": workDir, "ImportPath": "play", "GoFiles": abs,
		"NonGoFiles": []string{}, "IgnoredFiles": []string{}, "ImportMap": importMap, "PackageFile": std,
		"Standard": stdSet, "PackageVetx": map[string]string{}, "VetxOnly": false,
		"VetxOutput": "/tmp/play.vetx", "GoVersion": "go1.24", "SucceedOnTypecheckFailure": false,
	}
	data, err := json.Marshal(cfg)
	if err != nil || os.WriteFile("/tmp/play.vet.cfg", data, 0o644) != nil {
		return nil, false, false, false
	}
	tools := filepath.Join(os.Getenv("GOROOT"), "pkg", "tool", runtime.GOOS+"_"+runtime.GOARCH)
	out, ok, timedOut = runTool(timeout, filepath.Join(tools, "vet"), "/tmp/play.vet.cfg")
	if !ok && len(out) > 0 {
		out = append([]byte("# play\n"), out...)
	}
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
			if err != nil || !std[path] || strings.Contains(path, "internal") || strings.HasPrefix(path, "vendor/") {
				return nil, false
			}
		}
		sources = append(sources, "./"+name)
	}
	return sources, len(sources) > 0
}

func readImportcfg() (map[string]bool, error) {
	files, err := readPackageFiles()
	std := make(map[string]bool, len(files))
	for pkg := range files {
		std[pkg] = true
	}
	return std, err
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
