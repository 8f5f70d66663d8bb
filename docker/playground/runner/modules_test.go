package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func bakedForTest() *Modules {
	return &Modules{GoVersion: "go1.24.4", Modules: []Module{
		{Path: "github.com/google/go-cmp", Version: "v0.6.0"},
		{Path: "golang.org/x/exp", Version: "v0.0.0-20231006140011-7918f672742d"},
		{Path: "golang.org/x/text", Version: "v0.22.0"},
	}}
}

func TestWithoutGoModTheProgramRequiresTheModulesItImports(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"prog.go": "package main\n\nimport (\n\t\"fmt\"\n\t\"golang.org/x/exp/slices\"\n\t\"golang.org/x/text/language\"\n" +
			"\t\"golang.org/x/exp/maps\"\n\t\"example.com/other\"\n)\n\nfunc main() {}\n",
	}
	if msg, err := prepareModule(dir, files, bakedForTest(), false); msg != "" || err != nil {
		t.Fatal(msg, err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	want := "module play\n\ngo " + defaultGoLang + "\n\nrequire (\n\tgolang.org/x/exp v0.0.0-20231006140011-7918f672742d\n\tgolang.org/x/text v0.22.0\n)\n"
	if string(got) != want {
		t.Errorf("go.mod\n%s\nwant\n%s", got, want)
	}
	m := parseGoMod(string(got))
	if m.Module != "play" || m.Go != defaultGoLang || len(m.Require) != 2 {
		t.Errorf("the written go.mod does not parse back: %+v", m)
	}
}

func TestStandardOnlyProgramGetsAPlainGoMod(t *testing.T) {
	dir := t.TempDir()
	prepareModule(dir, map[string]string{"prog.go": hello}, bakedForTest(), false)
	if got, _ := os.ReadFile(filepath.Join(dir, "go.mod")); string(got) != "module play\n\ngo "+defaultGoLang+"\n" {
		t.Errorf("go.mod %q", got)
	}
}

func TestUnavailableVersionIsRefusedNamingTheOneThereIs(t *testing.T) {
	gomod := "module example.com/m\n\ngo 1.22\n\nrequire (\n\tgithub.com/google/go-cmp v0.6.0\n" +
		"\tgolang.org/x/exp v0.0.0-20240506185415-9bf2ced13842 // indirect\n\texample.com/unknown v1.0.0\n)\n\n" +
		"require golang.org/x/text v0.14.0\n"
	msg, err := prepareModule(t.TempDir(), map[string]string{"go.mod": gomod, "prog.go": hello}, bakedForTest(), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"go.mod:7: golang.org/x/exp@v0.0.0-20240506185415-9bf2ced13842 is not available",
		"golang.org/x/exp@v0.0.0-20231006140011-7918f672742d",
		"go.mod:11: golang.org/x/text@v0.14.0", "golang.org/x/text@v0.22.0",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "go-cmp") || strings.Contains(msg, "example.com/unknown") {
		t.Errorf("message names a requirement that is fine or not the image's business:\n%s", msg)
	}
	// The server adds its "standard library only" hint on these phrases: a baked module must not get it.
	for _, phrase := range []string{"no required module provides package", "cannot find module providing package", "module lookup disabled", "is not in std"} {
		if strings.Contains(msg, phrase) {
			t.Errorf("message contains %q", phrase)
		}
	}
}

func TestUserGoModAtTheBakedVersionsIsKept(t *testing.T) {
	dir := t.TempDir()
	gomod := "module m\n\nrequire golang.org/x/text v0.22.0\n"
	sum := "golang.org/x/text v0.22.0 h1:upstream=\ngolang.org/x/text v0.22.0/go.mod h1:upstream=\nexample.com/x v1.0.0 h1:kept=\n"
	if msg, err := prepareModule(dir, map[string]string{"go.mod": gomod, "go.sum": sum}, bakedForTest(), false); msg != "" || err != nil {
		t.Fatal(msg, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
		t.Error("prepareModule wrote over the user's go.mod")
	}
	got, _ := os.ReadFile(filepath.Join(dir, "go.sum"))
	if string(got) != "example.com/x v1.0.0 h1:kept=\n" {
		t.Errorf("go.sum %q: want only the lines of modules the image does not have", got)
	}
}

func TestModuleProviderIsTheLongestPrefix(t *testing.T) {
	m := &Modules{Modules: []Module{{Path: "golang.org/x/exp", Version: "v1"}, {Path: "golang.org/x/exp/typeparams", Version: "v2"}}}
	for imp, want := range map[string]string{
		"golang.org/x/exp":                  "golang.org/x/exp",
		"golang.org/x/exp/slices":           "golang.org/x/exp",
		"golang.org/x/exp/typeparams":       "golang.org/x/exp/typeparams",
		"golang.org/x/exp/typeparams/inner": "golang.org/x/exp/typeparams",
		"golang.org/x/expression":           "",
		"fmt":                               "",
	} {
		got := ""
		if p := m.provider(imp); p != nil {
			got = p.Path
		}
		if got != want {
			t.Errorf("provider(%q) = %q, want %q", imp, got, want)
		}
	}
}

func TestGoModParsing(t *testing.T) {
	m := parseGoMod("// comment\nmodule \"example.com/q\" // trailing\n\ngo 1.21\ntoolchain go1.22.0\n\n" +
		"require (\n\ta.com/x v1.0.0\n\tb.com/y v0.1.0 // indirect\n)\n\nreplace (\n\ta.com/x => ./x\n)\n" +
		"exclude c.com/z v1.0.0\nrequire d.com/w v2.0.0+incompatible\n")
	if m.Module != "example.com/q" || m.Go != "1.21" {
		t.Errorf("module %q go %q", m.Module, m.Go)
	}
	want := []requirement{{"a.com/x", "v1.0.0", 8, false}, {"b.com/y", "v0.1.0", 9, true}, {"d.com/w", "v2.0.0+incompatible", 16, false}}
	if len(m.Require) != len(want) {
		t.Fatalf("requires %+v", m.Require)
	}
	for i := range want {
		if m.Require[i] != want[i] {
			t.Errorf("require %d: %+v, want %+v", i, m.Require[i], want[i])
		}
	}
}

func TestDebianVersionsBecomeModuleVersions(t *testing.T) {
	for _, c := range []struct{ path, deb, want string }{
		{"golang.org/x/net", "1:0.27.0-2", "v0.27.0"},
		{"golang.org/x/sync", "0.7.0-1", "v0.7.0"},
		{"golang.org/x/tools", "1:0.25.0+ds-1", "v0.25.0"},
		{"example.com/m/v2", "2.1.0-3", "v2.1.0"},
		{"example.com/rc", "1.0.0~rc1-1", "v1.0.0-rc1"},
		{"golang.org/x/exp", "0.0~git20231006.7918f67-2", "v0.0.0-20231006140011-7918f672742d"},
	} {
		got, err := moduleVersion(c.path, c.deb)
		if err != nil || got != c.want {
			t.Errorf("moduleVersion(%q, %q) = %q, %v; want %q", c.path, c.deb, got, err, c.want)
		}
	}
	for _, c := range []struct{ path, deb string }{
		{"golang.org/x/other", "0.0~git20240101.abcdef1-1"}, // a snapshot nobody mapped
		{"example.com/m", "2.1.0-1"},                        // v2 without /v2
		{"example.com/m/v3", "2.1.0-1"},
		{"example.com/m", "1.2-1"},
	} {
		if got, err := moduleVersion(c.path, c.deb); err == nil {
			t.Errorf("moduleVersion(%q, %q) = %q, want an error", c.path, c.deb, got)
		}
	}
}

func TestVendoredPackagesAreLeftOutOfModuleZips(t *testing.T) {
	for rel, want := range map[string]bool{
		"vendor/modules.txt":             false,
		"vendor/golang.org/x/net/idna/a": true,
		"a/vendor/b/c.go":                true,
		"vendor.go":                      false,
		"a/b.go":                         false,
	} {
		if got := inVendoredPackage(rel); got != want {
			t.Errorf("inVendoredPackage(%q) = %v, want %v", rel, got, want)
		}
	}
	if escapePath("github.com/BurntSushi/toml") != "github.com/!burnt!sushi/toml" {
		t.Error(escapePath("github.com/BurntSushi/toml"))
	}
}

func TestModuleCacheLinksTheBakedModulesAndStaysWritable(t *testing.T) {
	cache, dir := t.TempDir(), filepath.Join(t.TempDir(), "gomod")
	mods := &Modules{Modules: []Module{{Path: "golang.org/x/exp", Version: "v0.0.0-1"}, {Path: "github.com/Up/x", Version: "v1.0.0"}}}
	for _, p := range []string{"golang.org/x/exp@v0.0.0-1/slices", "cache/download/golang.org/x/exp/@v",
		"github.com/!up/x@v1.0.0", "cache/download/github.com/!up/x/@v"} {
		if err := os.MkdirAll(filepath.Join(cache, p), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(cache, "cache/download/golang.org/x/exp/@latest"), []byte("{}"), 0o444)
	if err := linkModuleCache(dir, cache, mods); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"golang.org/x/exp@v0.0.0-1/slices", "cache/download/golang.org/x/exp/@v",
		"cache/download/golang.org/x/exp/@latest", "github.com/!up/x@v1.0.0"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("%s is not reachable: %v", p, err)
		}
	}
	// A nested or unknown module gets real, writable directories beside the links.
	for _, p := range []string{"cache/download/golang.org/x/exp/typeparams/@v", "golang.org/x/tools@v0.1.0"} {
		if err := os.MkdirAll(filepath.Join(dir, p), 0o755); err != nil {
			t.Errorf("cannot create %s: %v", p, err)
		}
	}
	if _, err := os.Stat(filepath.Join(cache, "cache/download/golang.org/x/exp/typeparams")); err == nil {
		t.Error("a directory was created inside the read-only cache")
	}
	if fi, _ := os.Stat(filepath.Join(dir, "cache")); fi.Mode()&os.ModeSticky == 0 || fi.Mode().Perm() != 0o777 {
		t.Errorf("cache directory mode %v, want sticky and writable by all", fi.Mode())
	}
	if err := linkModuleCache(dir, cache, mods); err != nil {
		t.Errorf("second call: %v", err)
	}
}

func TestGoLanguageIsTheRelease(t *testing.T) {
	for in, want := range map[string]string{"go1.27.4": "1.27", "go1.26": "1.26", "go1.28rc1": "1.28", "go1.27beta2": "1.27"} {
		if got := goLanguage(in); got != want {
			t.Errorf("goLanguage(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWithTheRelayTheBakedVersionsHashesGoIntoGoSumAndOtherVersionsMayBeRequired(t *testing.T) {
	mods := &Modules{Modules: []Module{{Path: "golang.org/x/text", Version: "v0.22.0", Sum: "h1:deb=", GoModSum: "h1:debmod="}}}
	gomod := "module m\n\ngo 1.27\n\nrequire golang.org/x/text v0.3.0\n"
	sum := "golang.org/x/text v0.22.0 h1:upstream=\ngolang.org/x/text v0.22.0/go.mod h1:upmod=\n" +
		"golang.org/x/text v0.3.0 h1:old=\n"
	if msg, _ := prepareModule(t.TempDir(), map[string]string{"go.mod": gomod}, mods, false); msg == "" {
		t.Error("offline, another version of a baked module must be refused")
	}
	dir := t.TempDir()
	if msg, err := prepareModule(dir, map[string]string{"go.mod": gomod, "go.sum": sum}, mods, true); msg != "" || err != nil {
		t.Fatalf("with the relay: %q, %v", msg, err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "go.sum"))
	want := "golang.org/x/text v0.3.0 h1:old=\n" +
		"golang.org/x/text v0.22.0 h1:deb=\ngolang.org/x/text v0.22.0/go.mod h1:debmod=\n"
	if string(got) != want {
		t.Errorf("go.sum = %q, want %q", got, want)
	}
}
