package main

import (
	"os"
	"strings"
	"testing"
)

// fakeIndex knows a few standard packages and one module package.
func fakeIndex() *packageIndex {
	ix := &packageIndex{Export: map[string]string{}, Std: map[string]bool{},
		Modules: map[string][]string{"golang.org/x/exp/slices": {"golang.org/x/exp"}},
		Sums:    map[string]string{"golang.org/x/exp": "v0.0.0-x\th1:abc="},
		ModInfo: map[string][]byte{"build": []byte("S1path\tplay\nmod\tplay\t(devel)\t\nbuild\t-buildmode=exe\nE1")}}
	for _, p := range []string{"fmt", "os", "testing", "runtime", "strings", "internal/abi", "vendor/golang.org/x/net/idna"} {
		ix.Export[p], ix.Std[p] = "/gocache/"+p, true
	}
	ix.Export["golang.org/x/exp/slices"] = "/gocache/slices"
	return ix
}

// plan writes files into a fresh directory and asks simplePackage about them.
func plan(t *testing.T, files map[string]string, isTest bool) *direct {
	t.Helper()
	dir := t.TempDir()
	if err := writeFiles(dir, files); err != nil {
		t.Fatal(err)
	}
	d, ok := simplePackage(dir, files, fakeIndex(), isTest, false)
	if !ok {
		return nil
	}
	return d
}

const hello = "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hi\") }\n"

func TestStandardOnlyPackageMainIsBuiltDirectly(t *testing.T) {
	d := plan(t, map[string]string{"prog.go": hello, "util.go": "package main\n\nimport \"strings\"\n\nvar _ = strings.ToUpper\n"}, false)
	if d == nil {
		t.Fatal("a standard-only package main is not built directly")
	}
	if strings.Join(d.goFiles, " ") != "./prog.go ./util.go" || strings.Join(d.imports, " ") != "fmt strings" {
		t.Errorf("files %v, imports %v", d.goFiles, d.imports)
	}
	if plan(t, map[string]string{"prog.go": "package main\n\nimport \"unsafe\"\n\nvar _ = unsafe.Sizeof(0)\nfunc main() {}\n"}, false) == nil {
		t.Error("unsafe (which has no export data) does not go direct")
	}
	if plan(t, map[string]string{"prog.go": "package main\n\nimport \"golang.org/x/exp/slices\"\n\nvar _ = slices.Index[[]int]\nfunc main() {}\n"}, false) == nil {
		t.Error("a prebuilt module package does not go direct")
	}
}

func TestAnythingTheGoCommandMustDecideIsNotBuiltDirectly(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"go.mod":             {"prog.go": hello, "go.mod": "module play\n"},
		"go.sum":             {"prog.go": hello, "go.sum": ""},
		"subdirectory":       {"prog.go": hello, "sub/x.go": "package sub\n"},
		"other file":         {"prog.go": hello, "data.txt": "x"},
		"build tag":          {"prog.go": hello, "x.go": "//go:build ignore\n\npackage main\n"},
		"other OS":           {"prog.go": hello, "x_windows.go": "package main\n"},
		"underscore file":    {"prog.go": hello, "_x.go": "package main\n"},
		"go:embed":           {"prog.go": "package main\n\nimport _ \"embed\"\n\n//go:embed prog.go\nvar s string\n\nfunc main() {}\n"},
		"go:linkname":        {"prog.go": "package main\n\nimport _ \"unsafe\"\n\n//go:linkname f runtime.f\nfunc f()\n\nfunc main() {}\n"},
		"go:debug":           {"prog.go": "//go:debug panicnil=1\npackage main\n\nfunc main() {}\n"},
		"module not built":   {"prog.go": "package main\n\nimport \"github.com/google/uuid\"\n\nfunc main() { uuid.New() }\n"},
		"cgo":                {"prog.go": "package main\n\nimport \"C\"\n\nfunc main() {}\n"},
		"internal package":   {"prog.go": "package main\n\nimport \"internal/abi\"\n\nvar _ abi.Type\n\nfunc main() {}\n"},
		"vendored package":   {"prog.go": "package main\n\nimport \"vendor/golang.org/x/net/idna\"\n\nfunc main() {}\n"},
		"test file in build": {"prog.go": hello, "prog_test.go": "package main\n\nimport \"testing\"\n\nfunc TestX(t *testing.T) {}\n"},
		"not package main":   {"prog.go": "package foo\n"},
		"syntax error":       {"prog.go": "package main\n\nimport \"fmt\n"},
	} {
		if d := plan(t, files, false); d != nil {
			t.Errorf("%s: built directly (%v)", name, d.goFiles)
		}
	}
}

func TestTestProgramsAreBuiltDirectlyWithTheirTestFunctions(t *testing.T) {
	d := plan(t, map[string]string{
		"prog_test.go": "package main\n\nimport (\n\t\"fmt\"\n\t\"testing\"\n)\n\nfunc TestB(t *testing.T) {}\n\nfunc TestA(t *testing.T) {}\n\n" +
			"func BenchmarkC(b *testing.B) {}\n\nfunc FuzzD(f *testing.F) {}\n\nfunc ExampleE() {\n\tfmt.Println(1)\n\t// Output: 1\n}\n",
		"helper.go": "package main\n\nfunc helper() {}\n",
	}, true)
	if d == nil {
		t.Fatal("a test program is not built directly")
	}
	if strings.Join(d.goFiles, " ") != "./helper.go" || strings.Join(d.testFiles, " ") != "./prog_test.go" {
		t.Errorf("files %v, test files %v", d.goFiles, d.testFiles)
	}
	if strings.Join(d.tests.tests, " ") != "TestB TestA" || strings.Join(d.tests.benchmarks, " ") != "BenchmarkC" ||
		strings.Join(d.tests.fuzzTargets, " ") != "FuzzD" || len(d.tests.examples) != 1 {
		t.Errorf("test functions %+v", d.tests)
	}
}

func TestTestProgramsGoTestWouldRefuseAreLeftToIt(t *testing.T) {
	for name, src := range map[string]string{
		"wrong signature":   "package main\n\nimport \"testing\"\n\nfunc TestX(t *testing.B) {}\n",
		"results":           "package main\n\nimport \"testing\"\n\nfunc TestX(t *testing.T) error { return nil }\n",
		"type parameters":   "package main\n\nimport \"testing\"\n\nfunc TestX[T any](t *testing.T) {}\n",
		"two TestMain":      "package main\n\nimport \"testing\"\n\nfunc TestMain(m *testing.M) {}\n\nfunc TestMain(m *testing.M) {}\n",
		"bad TestMain":      "package main\n\nfunc TestMain() {}\n",
		"benchmark with *T": "package main\n\nimport \"testing\"\n\nfunc BenchmarkX(t *testing.T) {}\n",
	} {
		if d := plan(t, map[string]string{"prog_test.go": src}, true); d != nil {
			t.Errorf("%s: built directly", name)
		}
	}
}

func TestBuildInfoListsTheModulesTheProgramUses(t *testing.T) {
	d := plan(t, map[string]string{"prog.go": "package main\n\nimport (\n\t\"fmt\"\n\t\"golang.org/x/exp/slices\"\n)\n\n" +
		"func main() { fmt.Println(slices.Index([]int{1}, 1)) }\n"}, false)
	want := "S1path\tplay\nmod\tplay\t(devel)\t\ndep\tgolang.org/x/exp\tv0.0.0-x\th1:abc=\nbuild\t-buildmode=exe\nE1"
	if got := d.modinfo("build"); got != want {
		t.Errorf("modinfo\n%q, want\n%q", got, want)
	}
	if got := plan(t, map[string]string{"prog.go": hello}, false).modinfo("build"); got != string(fakeIndex().ModInfo["build"]) {
		t.Errorf("a standard-only program's build info is not the template: %q", got)
	}
}

func TestPlanNeedsThePrebuiltIndex(t *testing.T) {
	if _, err := os.Stat(packagesPath); err == nil {
		t.Skip("running inside the image")
	}
	if planDirect(map[string]string{"prog.go": hello}, false, false) != nil {
		t.Error("planned a direct build without the image's prebuilt packages")
	}
}

func TestRealClockBuildsDirectlyOnlyFromPackagesPrebuiltWithoutFaketime(t *testing.T) {
	dir := t.TempDir()
	test := map[string]string{"prog_test.go": "package main\n\nimport (\n\t\"strings\"\n\t\"testing\"\n)\n\n" +
		"func BenchmarkUpper(b *testing.B) { strings.ToUpper(\"x\") }\n"}
	if err := writeFiles(dir, test); err != nil {
		t.Fatal(err)
	}
	ix := fakeIndex()
	if d, ok := simplePackage(dir, test, ix, true, true); ok {
		t.Errorf("planned a real-clock build from faketime packages: %+v", d)
	}
	ix.ExportReal = map[string]string{"strings": "/gocache/real-strings", "testing": "/gocache/real-testing"}
	d, ok := simplePackage(dir, test, ix, true, true)
	if !ok || !d.realClock || len(d.tests.benchmarks) != 1 {
		t.Fatalf("a test of real-clock packages is not built directly: %+v", d)
	}
	// A file only faketime builds include is left out on the real clock: the go command decides then.
	tagged := map[string]string{"prog_test.go": test["prog_test.go"], "fake.go": "//go:build faketime\n\npackage main\n"}
	if err := writeFiles(dir, tagged); err != nil {
		t.Fatal(err)
	}
	if _, ok := simplePackage(dir, tagged, ix, true, true); ok {
		t.Error("a faketime-only file went direct on the real clock")
	}
}
