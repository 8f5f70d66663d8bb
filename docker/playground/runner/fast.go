package main

import (
	"encoding/json"
	"fmt"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Written by -warm (warm.go): the prebuilt packages' export data as an importcfg for the compiler and
// linker, and everything else the direct path needs to act as the go command would.
const (
	importcfgPath     = libDir + "/importcfg"
	importcfgRealPath = libDir + "/importcfg.real" // the same packages built without faketime
	packagesPath      = libDir + "/packages.json"
)

// packageIndex is packages.json: what the go command knows about each prebuilt package (the whole
// standard library and the baked modules' packages) and the build info it links into a binary.
type packageIndex struct {
	Export map[string]string `json:"export"` // import path -> compiled export data in GOCACHE
	// The same without faketime (benchmarks on the real clock); an index without it builds them with the go command.
	ExportReal map[string]string   `json:"exportReal,omitempty"`
	Std        map[string]bool     `json:"std"`     // standard packages
	Modules    map[string][]string `json:"modules"` // other packages -> the modules their build uses
	Sums       map[string]string   `json:"sums"`    // module path -> "version\th1:..." as build info lists it
	ModInfo    map[string][]byte   `json:"modinfo"` // "build", "test", "bench" -> the go command's build info, no deps (bytes: not UTF-8)
	// Experiments are the GOEXPERIMENT settings whose packages the prebuilt cache holds too.
	Experiments []string `json:"experiments"`
}

func readIndex() (*packageIndex, error) {
	data, err := os.ReadFile(packagesPath)
	if err != nil {
		return nil, err
	}
	var ix packageIndex
	if err := json.Unmarshal(data, &ix); err != nil {
		return nil, err
	}
	return &ix, nil
}

// direct is a program the runner can build and link without the go command: one package main of
// top-level files that imports only prebuilt packages, run as a program or (test mode) as a test, on fake
// time or (realClock, benchmarks) on the real clock.
// Calling compile and link directly skips the go command's module loading and action hashing.
type direct struct {
	ix        *packageIndex
	realClock bool
	goFiles   []string   // ./name.go, sorted, as the go command passes them
	testFiles []string   // ./name_test.go (test mode)
	imports   []string   // the package's imports, sorted
	tests     *testFuncs // test mode: what the generated test main runs
}

// planDirect returns how to build the program directly, or nil when anything about it needs the go
// command to behave exactly as go build, go vet and go test -c do.
func planDirect(files map[string]string, isTest, realClock bool) *direct {
	ix, err := readIndex()
	if err != nil {
		return nil
	}
	d, ok := simplePackage(workDir, files, ix, isTest, realClock)
	if !ok {
		return nil
	}
	return d
}

func toolPath(name string) string {
	return filepath.Join(goRoot, "pkg", "tool", runtime.GOOS+"_"+runtime.GOARCH, name)
}

// Outputs of the direct path, all in /tmp beside the sources, and the language version and import
// path it compiles the package with, as the go command would.
const (
	archivePath  = "/tmp/play.a"
	testmainGo   = "/tmp/play.testmain.go"
	testmainA    = "/tmp/play.testmain.a"
	testcfgPath  = "/tmp/play.importcfg"
	linkcfgPath  = "/tmp/play.importcfg.link"
	testedImport = defaultGoModule // the package under test, as go test names it
)

// langFlag is the language version the compiler gets, as go build passes it for the go.mod the runner writes.
var langFlag = "-lang=go" + defaultGoLang

// build compiles and links; handled is false when the prebuilt packages are not what we expected, and
// the caller then uses the go command.
func (d *direct) build(deadline time.Time) (out []byte, ok, timedOut, handled bool) {
	pkgPath, kind := "main", "build"
	if d.tests != nil {
		pkgPath, kind = testedImport, "test"
	}
	importcfg := importcfgPath
	if d.realClock {
		kind, importcfg = "bench", importcfgRealPath
	}
	args := append([]string{"-o", archivePath, "-p", pkgPath, langFlag, "-complete", "-nolocalimports",
		"-importcfg", importcfg, "-pack"}, d.goFiles...)
	out, ok, timedOut = runTool(time.Until(deadline), toolEnv, toolPath("compile"), append(args, d.testFiles...)...)
	if !ok {
		if strings.Contains(string(out), "could not import") {
			return nil, false, false, false
		}
		return out, false, timedOut, true
	}
	main := archivePath
	extra := ""
	if d.tests != nil {
		if err := os.WriteFile(testmainGo, d.tests.testmain(testedImport), 0o644); err != nil {
			return []byte(err.Error()), false, false, true
		}
		extra = fmt.Sprintf("packagefile %s=%s\n", testedImport, archivePath)
	}
	if err := d.writeImportConfigs(importcfg, kind, extra); err != nil {
		return []byte(err.Error()), false, false, true
	}
	linkFlags := []string{"-s", "-w"}
	if d.tests != nil {
		out, ok, timedOut = runTool(time.Until(deadline), toolEnv, toolPath("compile"), "-o", testmainA, "-p", "main",
			langFlag, "-complete", "-nolocalimports", "-importcfg", testcfgPath, "-pack", testmainGo)
		if !ok {
			return out, false, timedOut, true
		}
		main = testmainA
		linkFlags = append(linkFlags, "-X", "testing.testBinary=1")
	}
	args = append([]string{"-o", binaryPath, "-importcfg", linkcfgPath, "-buildmode=exe"}, linkFlags...)
	out, ok, timedOut = runTool(time.Until(deadline), toolEnv, toolPath("link"), append(args, main)...)
	return out, ok, timedOut, true
}

// writeImportConfigs writes the prebuilt importcfg plus extra lines for the test main's compile and,
// with the build info the go command would embed (runtime/debug.ReadBuildInfo), for the link.
func (d *direct) writeImportConfigs(importcfg, kind, extra string) error {
	base, err := os.ReadFile(importcfg)
	if err != nil {
		return err
	}
	cfg := append(base, extra...)
	if extra != "" {
		if err := os.WriteFile(testcfgPath, cfg, 0o644); err != nil {
			return err
		}
	}
	if info := d.modinfo(kind); info != "" {
		cfg = append(cfg, "modinfo "+strconv.Quote(info)+"\n"...)
	}
	return os.WriteFile(linkcfgPath, cfg, 0o644)
}

// modinfo is the go command's build info for this program: the std-only template of its kind with a
// dep line for every module the program's imports use, sorted by path, after the mod line.
func (d *direct) modinfo(kind string) string {
	tmpl := string(d.ix.ModInfo[kind])
	if tmpl == "" {
		return ""
	}
	used := map[string]bool{}
	for _, imp := range d.imports {
		for _, mod := range d.ix.Modules[imp] {
			used[mod] = true
		}
	}
	if len(used) == 0 {
		return tmpl
	}
	var deps []string
	for mod := range used {
		deps = append(deps, "dep\t"+mod+"\t"+d.ix.Sums[mod]+"\n")
	}
	sort.Strings(deps)
	i := strings.Index(tmpl, "\nmod\t")
	if i < 0 {
		return tmpl
	}
	j := i + 1 + strings.Index(tmpl[i+1:], "\n") + 1
	return tmpl[:j] + strings.Join(deps, "") + tmpl[j:]
}

// directives that make the go command do more than compile and link the files.
var goCommandDirectives = []string{"//go:embed", "//go:linkname", "//go:debug", "//go:cgo_"}

// simplePackage reports whether the program (written in dir) is one package main of top-level .go files
// that go build would all include with -tags=faketime (none on the real clock), without the directives
// above and importing only prebuilt packages. Outside test mode it has no _test.go file (go build would
// leave it out); in test mode its test functions must be ones go test accepts.
func simplePackage(dir string, files map[string]string, ix *packageIndex, isTest, realClock bool) (*direct, bool) {
	ctxt := build.Default
	ctxt.BuildTags = []string{"faketime"}
	exports := ix.Export
	if realClock {
		ctxt.BuildTags, exports = nil, ix.ExportReal
	}
	ctxt.CgoEnabled = false
	d := &direct{ix: ix, realClock: realClock}
	seen := map[string]bool{}
	testSources := map[string]string{}
	for name, content := range files {
		isTestFile := strings.HasSuffix(name, "_test.go")
		if strings.Contains(name, "/") || !strings.HasSuffix(name, ".go") || isTestFile && !isTest {
			return nil, false
		}
		if match, err := ctxt.MatchFile(dir, name); err != nil || !match {
			return nil, false
		}
		for _, directive := range goCommandDirectives {
			if strings.Contains(content, directive) {
				return nil, false
			}
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, content, parser.ImportsOnly)
		if err != nil || f.Name.Name != "main" {
			return nil, false
		}
		for _, imp := range f.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			if err != nil || !prebuilt(path, exports) {
				return nil, false
			}
			if !seen[path] {
				seen[path] = true
				d.imports = append(d.imports, path)
			}
		}
		if isTestFile {
			d.testFiles = append(d.testFiles, "./"+name)
			testSources[name] = content
		} else {
			d.goFiles = append(d.goFiles, "./"+name)
		}
	}
	sort.Strings(d.goFiles)
	sort.Strings(d.testFiles)
	sort.Strings(d.imports)
	if isTest {
		t, err := loadTestFuncs(d.testFiles, testSources)
		if err != nil {
			return nil, false // go test reports it in its own words
		}
		d.tests = t
	}
	return d, len(d.goFiles)+len(d.testFiles) > 0
}

// prebuilt reports whether a user's package may import path and its export data is prebuilt.
func prebuilt(path string, exports map[string]string) bool {
	if path == "unsafe" {
		return true
	}
	if _, ok := exports[path]; !ok {
		return false
	}
	for _, elem := range strings.Split(path, "/") {
		if elem == "internal" || elem == "vendor" {
			return false
		}
	}
	return true
}
