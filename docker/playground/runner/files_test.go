package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestTestProgramsFollowThePlaygroundsRule(t *testing.T) {
	for src, want := range map[string]bool{
		"package main\n\nimport \"testing\"\n\nfunc TestX(t *testing.T) {}\n":                   true,
		"package main\n\nimport . \"testing\"\n\nfunc TestX(t *T) {}\n":                         true,
		"package main\n\nimport \"testing\"\n\nfunc Test(t *testing.T) {}\n":                    true,
		"package main\n\nimport \"testing\"\n\nfunc TestMain(m *testing.M) {}\n":                true,
		"package main\n\nimport \"testing\"\n\nfunc FuzzX(f *testing.F) {}\n":                   true,
		"package main\n\nimport \"testing\"\n\nfunc BenchmarkX(b *testing.B) {}\n":              true,
		"package main\n\nfunc ExampleX() {}\n":                                                  true,
		"package main\n\nfunc Example() {\n\t// Output:\n}\n":                                   true,
		"package main\n\ntype T struct{}\n\nfunc (T) main() {}\n\nfunc ExampleT() {}\n":         true,
		"package main\n\nimport \"testing\"\n\nfunc TestX(t *testing.T) {}\n\nfunc main() {}\n": false,
		"package main\n\nfunc main() {}\n":                                                      false,
		"package main\n\nfunc TestX() {}\n":                                                     false,
		"package main\n\nimport \"testing\"\n\nfunc Testify(t *testing.T) {}\n":                 false,
		"package main\n\nfunc Examples() {}\n":                                                  false,
		"package main\n\nfunc ExampleX(n int) {}\n":                                             false,
		"package foo\n\nimport \"testing\"\n\nfunc TestX(t *testing.T) {}\n":                    false,
		"package main\n\nfunc TestX(t *testing.T) {":                                            false,
		"": false,
	} {
		if got := isTestProgram(src); got != want {
			t.Errorf("isTestProgram(%q) = %v, want %v", src, got, want)
		}
	}
}

func TestTestNamesNeedANonLowerCaseRuneAfterThePrefix(t *testing.T) {
	for _, c := range []struct {
		name, prefix string
		want         bool
	}{
		{"Test", "Test", true}, {"TestFoo", "Test", true}, {"Test_foo", "Test", true}, {"Test1", "Test", true},
		{"TestÅngström", "Test", true}, {"Testing", "Test", false}, {"Testé", "Test", false},
		{"test", "Test", false}, {"Tes", "Test", false}, {"BenchmarkX", "Benchmark", true},
		{"Benchmarking", "Benchmark", false}, {"Fuzz", "Fuzz", true}, {"Fuzzy", "Fuzz", false},
	} {
		if got := isTestName(c.name, c.prefix); got != c.want {
			t.Errorf("isTestName(%q, %q) = %v, want %v", c.name, c.prefix, got, c.want)
		}
	}
}

func TestOnlyTopLevelGoFilesMustBePackageMain(t *testing.T) {
	for files, want := range map[*map[string]string]bool{
		{"prog.go": "package main\n"}:                              false,
		{"prog.go": "package foo\n"}:                               true,
		{"prog.go": "package main\n", "sub/x.go": "package sub\n"}: false,
		{"prog.go": "package main\n", "other.go": "package x\n"}:   true,
		{"prog.go": "package main\n", "README": "package x\n"}:     false,
		{"prog.go": "this does not parse"}:                         false,
	} {
		if got := notMain(*files); got != want {
			t.Errorf("notMain(%v) = %v, want %v", *files, got, want)
		}
	}
}

func TestFilesAreWrittenUnderTheirNames(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "play")
	files := map[string]string{"prog.go": "package main\n", "sub/dir/x.go": "package dir\n"}
	if err := writeFiles(dir, files); err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != want {
			t.Errorf("%s: %q, %v", name, got, err)
		}
		// The go command must never index the program's directories into the read-only cache.
		if info, err := os.Stat(filepath.Join(dir, name)); err != nil || !info.ModTime().After(time.Now().Add(sourceDating/2)) {
			t.Errorf("%s is not dated ahead: %v, %v", name, info.ModTime(), err)
		}
	}
}

func TestTooManyFilesAreRefused(t *testing.T) {
	files := map[string]string{}
	for i := 0; i <= contract.MaxFiles; i++ {
		files[filepath.Join("d", string(rune('a'+i%26))+string(rune('a'+i/26))+".go")] = ""
	}
	if err := checkFiles(files); err == nil {
		t.Errorf("%d files accepted, limit %d", len(files), contract.MaxFiles)
	}
	if err := checkFiles(map[string]string{"../x.go": ""}); err == nil {
		t.Error("a bad name was accepted")
	}
}
