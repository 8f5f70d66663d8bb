package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// warm runs at image build. It runs the go command's vet/build/test pipeline of a request over a
// program that imports every importable standard and baked-module package, so GOCACHE holds every
// action a user's program can need, on fake time and on the real clock (benchmarks); does the same (on
// fake time) under each GOEXPERIMENT setting in experiments the release knows; records what the direct
// path needs (importcfg, packages.json); and then proves the direct path answers exactly as the go
// command does.
func warm(experiments []string) error {
	mods := readModules()
	if err := linkModuleCache(modCacheTmp, modCacheDir, mods); err != nil {
		return err
	}
	std, modPkgs, err := warmPrograms(toolEnv, "", mods, true)
	if err != nil {
		return err
	}
	ix, err := indexPackages(modPkgs)
	if err != nil {
		return err
	}
	for _, exp := range experiments {
		env := toolEnvWith("GOEXPERIMENT=" + exp)
		if out, err := goCommandEnv(env, "", "env", "GOEXPERIMENT"); err != nil {
			fmt.Printf("warm: GOEXPERIMENT=%s left out: %v %s\n", exp, err, out) // unknown to this release
			continue
		}
		if _, _, err := warmPrograms(env, "// GOEXPERIMENT="+exp+"\n\n", mods, false); err != nil {
			return fmt.Errorf("GOEXPERIMENT=%s: %v", exp, err)
		}
		ix.Experiments = append(ix.Experiments, exp)
	}
	if err := writeIndex(ix); err != nil {
		return err
	}
	fmt.Printf("warm: %d standard and %d module packages prebuilt, experiments %v too\n", len(std), len(modPkgs),
		ix.Experiments)
	return proveDirect(mods)
}

// warmPrograms builds, vets and runs, through the go command as a request would, a test and a program
// that imports every importable package under env, each file starting with header, and with realClock
// the latter again without faketime as a benchmark. The big programs go last: their module (a go.mod
// requiring every baked module, and the go.sum the build wrote) stays in workDir for indexPackages.
func warmPrograms(env []string, header string, mods *Modules, realClock bool) (std, modPkgs []string, err error) {
	if std, err = listPackages(env, nil, "std"); err != nil {
		return nil, nil, err
	}
	modPatterns := make([]string, len(mods.Modules))
	modPaths := make([]string, len(mods.Modules))
	for i, m := range mods.Modules {
		modPatterns[i], modPaths[i] = m.Path+"/...", m.Path
	}
	if len(modPatterns) > 0 {
		if modPkgs, err = listPackages(env, modPaths, modPatterns...); err != nil {
			return nil, nil, err
		}
	}
	var imports bytes.Buffer
	for _, pkg := range append(append([]string(nil), std...), modPkgs...) {
		fmt.Fprintf(&imports, "\t_ %q\n", pkg)
	}
	everything := strings.Replace(imports.String(), "\t_ \"testing\"\n", "", 1)
	type program struct {
		files map[string]string
		bench *BenchRequest
	}
	programs := []program{
		{map[string]string{progName: header + "package main\n\nimport \"testing\"\n\nfunc TestWarm(t *testing.T) {}\n"}, nil},
		{map[string]string{progName: header + "package main\n\nimport (\n" + imports.String() + ")\n\nfunc main() {}\n"}, nil},
	}
	if realClock {
		programs = append(programs, program{map[string]string{progName: header + "package main\n\nimport (\n" +
			everything + "\t\"testing\"\n)\n\nfunc BenchmarkWarm(b *testing.B) {}\n"}, &BenchRequest{}})
	}
	for _, p := range programs {
		res, err := handleFresh(p.files, true, p.bench)
		if err != nil {
			return nil, nil, err
		}
		if res.Phase != "run" || res.ExitCode != 0 || !res.VetOK {
			return nil, nil, fmt.Errorf("warm-up program failed: phase=%s exit=%d errors=%s vet=%s stderr=%s",
				res.Phase, res.ExitCode, res.Errors, res.VetErrors, res.Stderr)
		}
	}
	return std, modPkgs, nil
}

// handleFresh handles files as a request would (benchmarks on the real clock when bench is set), from an
// empty work directory, through the go command. With run false it only writes the files (and go.mod).
func handleFresh(files map[string]string, run bool, bench *BenchRequest) (*Result, error) {
	if err := os.RemoveAll(workDir); err != nil {
		return nil, err
	}
	if !run {
		if err := writeFiles(workDir, files); err != nil {
			return nil, err
		}
		_, err := prepareModule(workDir, files, readModules(), false)
		return nil, err
	}
	return handle(&Header{Files: files, Vet: true, BuildTimeoutMs: 1_200_000, RunTimeoutMs: 60_000, Bench: bench,
		noFast: true}, nil), nil
}

// listPackages lists the importable non-main packages matching patterns that build with the runner's
// flags under env; requires are modules a temporary go.mod needs for the patterns to resolve.
func listPackages(env []string, requires []string, patterns ...string) ([]string, error) {
	dir := ""
	if requires != nil {
		var err error
		if dir, err = os.MkdirTemp("", "warm-list"); err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(defaultGoMod(requires, readModules())), 0o644); err != nil {
			return nil, err
		}
	}
	args := append([]string{"list", "-e", "-tags=faketime",
		"-f", "{{if and (not .Error) (not .DepsErrors) (ne .Name \"main\") .GoFiles}}{{.ImportPath}}{{end}}"}, patterns...)
	out, err := goCommandEnv(env, dir, args...)
	if err != nil {
		return nil, fmt.Errorf("go list %v: %v", patterns, err)
	}
	var pkgs []string
	for _, pkg := range strings.Fields(string(out)) {
		if importable(pkg) {
			pkgs = append(pkgs, pkg)
		}
	}
	return pkgs, nil
}

// importable leaves out internal, vendored and build-mode-specific packages.
func importable(pkg string) bool {
	switch pkg {
	case "runtime/cgo", "runtime/race", "runtime/msan", "runtime/asan", "plugin", "syscall/js":
		return false
	}
	for _, elem := range strings.Split(pkg, "/") {
		if elem == "internal" || elem == "vendor" || elem == "testdata" {
			return false
		}
	}
	return true
}

// listedPackage is the part of go list -json the index needs.
type listedPackage struct {
	ImportPath string
	Export     string
	Standard   bool
	Deps       []string
	Module     *struct{ Path string }
}

// indexPackages records, from the go command in workDir (the warm program's module), every prebuilt
// package's export data, the modules each uses, their sums, and the build info go build
// and go test -c embed.
func indexPackages(modPkgs []string) (*packageIndex, error) {
	// All of std, internal packages included: the test main imports testing/internal/testdeps.
	args := []string{"list", "-export", "-deps", "-tags=faketime", "-json=ImportPath,Export,Standard,Deps,Module", "std"}
	out, err := goCommandIn(workDir, append(args, modPkgs...)...)
	if err != nil {
		return nil, fmt.Errorf("go list -export: %v", err)
	}
	ix := &packageIndex{Export: map[string]string{}, ExportReal: map[string]string{}, Std: map[string]bool{},
		Modules: map[string][]string{}, Sums: map[string]string{}, ModInfo: map[string][]byte{}}
	var listed []listedPackage
	for dec := json.NewDecoder(bytes.NewReader(out)); dec.More(); {
		var p listedPackage
		if err := dec.Decode(&p); err != nil {
			return nil, err
		}
		listed = append(listed, p)
	}
	moduleOf := map[string]string{}
	for _, p := range listed {
		if p.Export != "" {
			ix.Export[p.ImportPath] = p.Export
		}
		if p.Standard {
			ix.Std[p.ImportPath] = true
		} else if p.Module != nil {
			moduleOf[p.ImportPath] = p.Module.Path
		}
	}
	for _, p := range listed {
		if p.Standard {
			continue
		}
		used := map[string]bool{moduleOf[p.ImportPath]: true}
		for _, dep := range p.Deps {
			if m, ok := moduleOf[dep]; ok {
				used[m] = true
			}
		}
		for m := range used {
			ix.Modules[p.ImportPath] = append(ix.Modules[p.ImportPath], m)
		}
		sort.Strings(ix.Modules[p.ImportPath])
	}
	if sums, err := os.ReadFile(filepath.Join(workDir, "go.sum")); err == nil {
		for _, line := range strings.Split(string(sums), "\n") {
			if f := strings.Fields(line); len(f) == 3 && !strings.HasSuffix(f[1], "/go.mod") {
				ix.Sums[f[0]] = f[1] + "\t" + f[2]
			}
		}
	}
	// The same packages without faketime: only their export data differs.
	real, err := goCommandIn(workDir, append([]string{"list", "-export", "-deps", "-json=ImportPath,Export", "std"},
		modPkgs...)...)
	if err != nil {
		return nil, fmt.Errorf("go list -export (real clock): %v", err)
	}
	for dec := json.NewDecoder(bytes.NewReader(real)); dec.More(); {
		var p listedPackage
		if err := dec.Decode(&p); err != nil {
			return nil, err
		}
		if p.Export != "" {
			ix.ExportReal[p.ImportPath] = p.Export
		}
	}
	test := map[string]string{progTestName: "package main\n\nimport \"testing\"\n\nfunc TestInfo(t *testing.T) {}\n"}
	for _, k := range []struct {
		kind              string
		files             map[string]string
		isTest, realClock bool
	}{
		{"build", map[string]string{progName: "package main\n\nfunc main() {}\n"}, false, false},
		{"test", test, true, false},
		{"bench", test, true, true},
	} {
		if _, err := handleFresh(k.files, false, nil); err != nil {
			return nil, err
		}
		info, err := goModInfo(goBuildArgs(k.isTest, k.realClock, true)...)
		if err != nil {
			return nil, err
		}
		ix.ModInfo[k.kind] = []byte(info)
	}
	return ix, nil
}

// goModInfo returns the build info the go command would link into the program in workDir.
func goModInfo(args ...string) (string, error) {
	cmd := exec.Command(goTool, args...)
	cmd.Dir, cmd.Env = workDir, toolEnv
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go %v: %v\n%s", args, err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if q, ok := strings.CutPrefix(line, "modinfo "); ok {
			return strconv.Unquote(q)
		}
	}
	return "", fmt.Errorf("go %v printed no modinfo", args)
}

func writeIndex(ix *packageIndex) error {
	if err := os.MkdirAll(libDir, 0o755); err != nil {
		return err
	}
	if err := writeImportcfg(importcfgPath, ix.Export); err != nil {
		return err
	}
	if err := writeImportcfg(importcfgRealPath, ix.ExportReal); err != nil {
		return err
	}
	data, err := json.Marshal(ix)
	if err != nil {
		return err
	}
	return os.WriteFile(packagesPath, data, 0o644)
}

// writeImportcfg writes the compiler's and linker's importcfg of the packages in exports.
func writeImportcfg(path string, exports map[string]string) error {
	var cfg bytes.Buffer
	paths := make([]string, 0, len(exports))
	for p := range exports {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		fmt.Fprintf(&cfg, "packagefile %s=%s\n", p, exports[p])
	}
	return os.WriteFile(path, cfg.Bytes(), 0o644)
}

// goCommand runs the go command with the tools' environment and returns its standard output.
func goCommand(args ...string) ([]byte, error) { return goCommandIn("", args...) }

func goCommandIn(dir string, args ...string) ([]byte, error) {
	return goCommandEnv(toolEnv, dir, args...)
}

func goCommandEnv(env []string, dir string, args ...string) ([]byte, error) {
	cmd := exec.Command(goTool, args...)
	cmd.Dir, cmd.Env = dir, env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("%v: %s", err, stderr.Bytes())
	}
	return out, nil
}

// A proof program runs through the go command and the direct path; both must answer alike. With bench,
// it runs its benchmarks on the real clock, and the tests' real durations are not compared.
type proof struct {
	name  string
	files map[string]string
	bench *BenchRequest
}

// proveDirect fails the image build unless every proof program takes the direct path and answers
// exactly as the go command does (output, exit, errors, vet).
func proveDirect(mods *Modules) error {
	proofs := directProofs(mods)
	for _, p := range proofs {
		slow, err := handleFresh(p.files, true, p.bench)
		if err != nil {
			return err
		}
		if err := os.RemoveAll(workDir); err != nil {
			return err
		}
		fast := handle(&Header{Files: p.files, Vet: true, BuildTimeoutMs: 600_000, RunTimeoutMs: 60_000, Bench: p.bench}, nil)
		if !fast.FastBuild || slow.FastBuild {
			return fmt.Errorf("proof %s: fast=%v on the direct path, %v on the go command's: %s", p.name,
				fast.FastBuild, slow.FastBuild, fast.Errors)
		}
		if diff := sameAnswer(slow, fast); diff != "" {
			return fmt.Errorf("proof %s: the direct path answers differently: %s", p.name, diff)
		}
		fmt.Printf("warm: direct path proven for %s (%d ms vs %d ms)\n", p.name, fast.BuildMs, slow.BuildMs)
	}
	return os.RemoveAll(workDir)
}

// testDuration is how go test -v prints a test's time, which on the real clock varies from run to run.
var testDuration = regexp.MustCompile(`\(\d+\.\d+s\)`)

// sameAnswer compares everything but timings, costs and the path taken.
func sameAnswer(a, b *Result) string {
	x, y := *a, *b
	for _, r := range []*Result{&x, &y} {
		r.FastBuild, r.BuildMs, r.RunMs, r.VetMs, r.RunCpuMs, r.MaxRssBytes = false, 0, 0, 0, nil, nil
		if r.RealClock {
			r.Stdout = testDuration.ReplaceAll(r.Stdout, []byte("(real)"))
		}
	}
	if reflect.DeepEqual(x, y) {
		return ""
	}
	jx, _ := json.Marshal(show(&x))
	jy, _ := json.Marshal(show(&y))
	return fmt.Sprintf("\ngo command: %s\ndirect:     %s", jx, jy)
}

func show(r *Result) map[string]any {
	return map[string]any{"phase": r.Phase, "errors": r.Errors, "vetOK": r.VetOK, "vetErrors": r.VetErrors,
		"isTest": r.IsTest, "exit": r.ExitCode, "signal": r.Signal, "stdout": string(r.Stdout), "stderr": string(r.Stderr)}
}

// directProofs are programs the direct path must answer exactly as the go command does.
func directProofs(mods *Modules) []proof {
	one := func(name, src string) proof { return proof{name, map[string]string{progName: src}, nil} }
	proofs := []proof{
		one("hello", "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n"),
		one("vet finding", "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Printf(\"%d\\n\", \"x\") }\n"),
		one("compile error", "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(x) }\n"),
		one("panic", "package main\n\nfunc main() { var m map[string]int; m[\"a\"] = 1 }\n"),
		one("build info", "package main\n\nimport (\n\t\"fmt\"\n\t\"runtime/debug\"\n\t\"testing\"\n)\n\n"+
			"func main() {\n\tinfo, ok := debug.ReadBuildInfo()\n\tfmt.Println(ok, testing.Testing())\n\tfmt.Print(info)\n}\n"),
		one("unsafe", "package main\n\nimport (\n\t\"fmt\"\n\t\"unsafe\"\n)\n\nfunc main() { fmt.Println(unsafe.Sizeof(int64(0))) }\n"),
		one("passing test", "package main\n\nimport \"testing\"\n\nfunc Add(a, b int) int { return a + b }\n\n"+
			"func TestAdd(t *testing.T) {\n\tif Add(1, 2) != 3 {\n\t\tt.Fatal(\"bad\")\n\t}\n\tt.Log(\"ok\")\n}\n"),
		one("failing test", "package main\n\nimport \"testing\"\n\nfunc TestOk(t *testing.T) {}\n\n"+
			"func TestBad(t *testing.T) { t.Error(\"nope\") }\n\nfunc TestSub(t *testing.T) {\n"+
			"\tt.Run(\"inner\", func(t *testing.T) { t.Fatal(\"no\") })\n}\n"),
		one("benchmark", "package main\n\nimport (\n\t\"strings\"\n\t\"testing\"\n)\n\n"+
			"func BenchmarkRepeat(b *testing.B) {\n\tfor i := 0; i < b.N; i++ {\n\t\tstrings.Repeat(\"x\", 10)\n\t}\n}\n\n"+
			"func TestTesting(t *testing.T) {\n\tif !testing.Testing() {\n\t\tt.Fatal(\"not a test binary\")\n\t}\n}\n"),
		one("examples", "package main\n\nimport \"fmt\"\n\nfunc ExampleOutput() {\n\tfmt.Println(\"hi\")\n\t// Output: hi\n}\n\n"+
			"func ExampleEmptyOutput() {\n\t// Output:\n}\n\nfunc ExampleUnordered() {\n\tfmt.Println(2)\n\tfmt.Println(1)\n"+
			"\t// Unordered output:\n\t// 1\n\t// 2\n}\n\nfunc ExampleWrong() {\n\tfmt.Println(\"no\")\n\t// Output: yes\n}\n\n"+
			"func ExampleNotRun() {\n\tfmt.Println(\"never\")\n}\n"),
		one("test main", "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\t\"testing\"\n)\n\n"+
			"func TestMain(m *testing.M) {\n\tfmt.Println(\"setup\")\n\tos.Exit(m.Run())\n}\n\nfunc TestX(t *testing.T) {}\n"),
		one("test compile error", "package main\n\nimport \"testing\"\n\nfunc TestX(t *testing.T) { undefined() }\n"),
		// Benchmarks on the real clock: the clock, the build info and a benchmark's report that does not vary.
		{"bench", map[string]string{progName: "package main\n\nimport (\n\t\"fmt\"\n\t\"runtime/debug\"\n\t\"testing\"\n" +
			"\t\"time\"\n)\n\nfunc TestClock(t *testing.T) {\n\tif time.Now().Year() < 2020 {\n\t\tt.Fatal(\"fake clock\")\n\t}\n" +
			"\tinfo, _ := debug.ReadBuildInfo()\n\tfmt.Print(info)\n}\n\nfunc TestNotRun(t *testing.T) { t.Fatal(\"ran\") }\n\n" +
			"func BenchmarkSkipped(b *testing.B) { b.Skip(\"no figures to compare\") }\n\n" +
			"func BenchmarkNotRun(b *testing.B) { b.Fatal(\"ran\") }\n"},
			&BenchRequest{Pattern: "Skipped", Run: "Clock"}},
	}
	var mod []string
	for _, want := range []string{"golang.org/x/exp", "github.com/google/go-cmp", "golang.org/x/sync", "golang.org/x/text"} {
		if mods.byPath(want) != nil {
			mod = append(mod, want)
		}
	}
	if len(mod) == 4 {
		proofs = append(proofs,
			one("modules", "package main\n\nimport (\n\t\"context\"\n\t\"fmt\"\n\t\"runtime/debug\"\n\n"+
				"\t\"github.com/google/go-cmp/cmp\"\n\t\"golang.org/x/exp/slices\"\n\t\"golang.org/x/sync/errgroup\"\n"+
				"\t\"golang.org/x/text/cases\"\n\t\"golang.org/x/text/language\"\n)\n\nfunc main() {\n"+
				"\tg, _ := errgroup.WithContext(context.Background())\n\tg.Go(func() error { return nil })\n"+
				"\tfmt.Println(g.Wait(), slices.Index([]int{1, 2}, 2), cmp.Diff(1, 1) == \"\", cases.Title(language.English).String(\"go\"))\n"+
				"\tinfo, _ := debug.ReadBuildInfo()\n\tfmt.Print(info)\n}\n"),
			one("modules test", "package main\n\nimport (\n\t\"testing\"\n\n\t\"github.com/google/go-cmp/cmp\"\n)\n\n"+
				"func TestDiff(t *testing.T) {\n\tif d := cmp.Diff([]int{1}, []int{2}); d != \"\" {\n\t\tt.Errorf(\"diff:\\n%s\", d)\n\t}\n}\n"))
	}
	return proofs
}
