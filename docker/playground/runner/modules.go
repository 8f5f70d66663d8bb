package main

import (
	"encoding/json"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
)

// The modules baked into the image (bake.go) live in a read-only module cache that also serves as
// the go command's proxy, so a program that imports them builds with no network. The go command's
// GOMODCACHE is a writable directory of links into it (linkModuleCache), so that it can fail at
// another module in its own words ("module lookup disabled") rather than at a read-only directory.
const (
	modulesFile = libDir + "/modules.json"
	modCacheDir = libDir + "/gomod"
	modCacheTmp = "/tmp/gomod"
	// bakedProxy serves the module cache itself; "off" after it (modProxy) keeps the go command's own
	// wording ("module lookup disabled by GOPROXY=off") for any module the image does not have, unless the
	// module relay (relay.go) follows it.
	bakedProxy      = "file://" + modCacheDir + "/cache/download"
	modProxy        = bakedProxy + ",off"
	defaultGoModule = "play"
)

// defaultGoLang is the go line of a go.mod the runner writes: the release of the toolchain that built
// the runner (go1.27.4 → 1.27), which is the image's own.
var defaultGoLang = goLanguage(runtime.Version())

// goLanguage is a Go version's language version: go1.27.4 → 1.27, go1.27rc1 → 1.27.
func goLanguage(version string) string {
	v := strings.TrimPrefix(version, "go")
	if i := strings.IndexFunc(v, func(r rune) bool { return r != '.' && (r < '0' || r > '9') }); i >= 0 {
		v = v[:i] // a pre-release suffix such as rc1
	}
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}

// Module is one baked module, as the info answer lists it, with its go.sum hashes (the image's own).
type Module struct {
	Path     string `json:"path"`
	Version  string `json:"version"`
	Sum      string `json:"sum,omitempty"`
	GoModSum string `json:"goModSum,omitempty"`
}

// Modules is modules.json: the toolchain's version and the baked modules, sorted by path.
type Modules struct {
	GoVersion string   `json:"goVersion"`
	Modules   []Module `json:"modules"`
}

// readModules returns the baked modules, or an empty list outside the image.
func readModules() *Modules {
	data, err := os.ReadFile(modulesFile)
	var m Modules
	if err != nil || json.Unmarshal(data, &m) != nil {
		return &Modules{GoVersion: runtime.Version()}
	}
	return &m
}

// provider is the baked module that would provide importPath (the longest module path that is a
// prefix of it), or nil.
func (m *Modules) provider(importPath string) *Module {
	var best *Module
	for i := range m.Modules {
		mod := &m.Modules[i]
		if (importPath == mod.Path || strings.HasPrefix(importPath, mod.Path+"/")) &&
			(best == nil || len(mod.Path) > len(best.Path)) {
			best = mod
		}
	}
	return best
}

func (m *Modules) byPath(path string) *Module {
	for i := range m.Modules {
		if m.Modules[i].Path == path {
			return &m.Modules[i]
		}
	}
	return nil
}

// InfoResult answers the header {"info":true}.
type InfoResult struct {
	Phase     string   `json:"phase"` // "info"
	GoVersion string   `json:"goVersion"`
	Modules   []Module `json:"modules"`
}

func info() *InfoResult {
	m := readModules()
	mods := []Module{}
	for _, mod := range m.Modules {
		mods = append(mods, Module{Path: mod.Path, Version: mod.Version})
	}
	return &InfoResult{Phase: "info", GoVersion: m.GoVersion, Modules: mods}
}

// prepareModule makes the program a module the go command can build. Without a go.mod it writes one
// (module play) that requires the baked modules the program imports, as the playground's go command
// would have added them. go.sum lines of the baked modules' versions are dropped: their sources are
// Debian's, so upstream hashes cannot match. Offline (relayed false), a user's requirement of a baked
// module at another version is refused with a message naming the version the image has. With the
// module relay any version may be fetched, and the baked versions' own hashes go into go.sum, so the go
// command verifies every other module against the checksum database and these against the image.
// msg is for the user.
func prepareModule(dir string, files map[string]string, mods *Modules, relayed bool) (msg string, err error) {
	if gomod, ok := files["go.mod"]; ok {
		if msg := checkRequirements(gomod, mods); msg != "" && !relayed {
			return msg, nil
		}
	} else {
		content := defaultGoMod(importsOf(files), mods)
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(content), 0o644); err != nil {
			return "", err
		}
	}
	sum := filterGoSum(files["go.sum"], mods)
	if relayed {
		sum += bakedSums(mods)
	}
	if _, ok := files["go.sum"]; ok || sum != "" {
		if err := os.WriteFile(filepath.Join(dir, "go.sum"), []byte(sum), 0o644); err != nil {
			return "", err
		}
	}
	// The go command (-mod=mod) adds missing requirements and sums, as the playground's does.
	for _, name := range []string{"go.mod", "go.sum"} {
		if err := os.Chmod(filepath.Join(dir, name), 0o666); err != nil && !os.IsNotExist(err) {
			return "", err
		}
	}
	return "", nil
}

// linkModuleCache makes dir the go command's module cache: each baked module's source directory and
// download directory entries are links into the read-only cache, and every directory is writable by
// all (sticky, like /tmp) so the go command can record and fail at other modules itself. The paths it
// sees are the same at image build and at run time, so the prebuilt packages match. Idempotent.
func linkModuleCache(dir, cache string, mods *Modules) error {
	if _, err := os.Lstat(dir); err == nil {
		return nil
	}
	for _, m := range mods.Modules {
		mod := escapePath(m.Path) + "@" + escapePath(m.Version)
		dl := filepath.Join("cache", "download", escapePath(m.Path))
		for _, link := range []string{mod, filepath.Join(dl, "@v"), filepath.Join(dl, "@latest")} {
			target := filepath.Join(cache, link)
			if _, err := os.Lstat(target); err != nil {
				continue
			}
			if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, link)), 0o755); err != nil {
				return err
			}
			if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
				return err
			}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		return os.Chmod(p, 0o777|os.ModeSticky)
	})
}

// defaultGoMod is the go.mod of a program that has none.
func defaultGoMod(imports []string, mods *Modules) string {
	var b strings.Builder
	fmt.Fprintf(&b, "module %s\n\ngo %s\n", defaultGoModule, defaultGoLang)
	seen := map[string]bool{}
	var reqs []Module
	for _, imp := range imports {
		if mod := mods.provider(imp); mod != nil && !seen[mod.Path] {
			seen[mod.Path] = true
			reqs = append(reqs, *mod)
		}
	}
	sort.Slice(reqs, func(i, j int) bool { return reqs[i].Path < reqs[j].Path })
	if len(reqs) > 0 {
		b.WriteString("\nrequire (\n")
		for _, r := range reqs {
			fmt.Fprintf(&b, "\t%s %s\n", r.Path, r.Version)
		}
		b.WriteString(")\n")
	}
	return b.String()
}

// checkRequirements returns a message for every requirement of a baked module at a version the image
// does not have, or "".
func checkRequirements(gomod string, mods *Modules) string {
	var msgs []string
	for _, r := range parseGoMod(gomod).Require {
		if mod := mods.byPath(r.Path); mod != nil && mod.Version != r.Version {
			msgs = append(msgs, fmt.Sprintf("go.mod:%d: %s@%s is not available: the sandbox has no network, and its module cache has %s@%s only",
				r.Line, r.Path, r.Version, mod.Path, mod.Version))
		}
	}
	if len(msgs) == 0 {
		return ""
	}
	return strings.Join(msgs, "\n") + "\n"
}

// filterGoSum drops the lines of the baked modules' versions from a go.sum.
func filterGoSum(sum string, mods *Modules) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(sum, "\n") {
		if f := strings.Fields(line); len(f) > 1 {
			if mod := mods.byPath(f[0]); mod != nil && strings.TrimSuffix(f[1], "/go.mod") == mod.Version {
				continue
			}
		}
		b.WriteString(line)
	}
	return b.String()
}

// bakedSums is the go.sum lines of every baked module as the image has it.
func bakedSums(mods *Modules) string {
	var b strings.Builder
	for _, m := range mods.Modules {
		if m.Sum != "" {
			fmt.Fprintf(&b, "%s %s %s\n", m.Path, m.Version, m.Sum)
		}
		if m.GoModSum != "" {
			fmt.Fprintf(&b, "%s %s/go.mod %s\n", m.Path, m.Version, m.GoModSum)
		}
	}
	return b.String()
}

// importsOf lists the import paths of every Go file, sorted and unique; unparsable files are left to
// the compiler.
func importsOf(files map[string]string) []string {
	seen := map[string]bool{}
	var out []string
	for name, src := range files {
		if !strings.HasSuffix(name, ".go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly)
		if err != nil {
			continue
		}
		for _, imp := range f.Imports {
			if p, err := strconv.Unquote(imp.Path.Value); err == nil && !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out
}

// goMod is what the runner needs from a go.mod file.
type goMod struct {
	Module  string
	Go      string
	Require []requirement
}

type requirement struct {
	Path, Version string
	Line          int
	Indirect      bool
}

// parseGoMod reads module, go and require directives (single and block forms) and skips the rest;
// malformed lines are left for the go command to report.
func parseGoMod(data string) goMod {
	var m goMod
	block := ""
	for i, raw := range strings.Split(data, "\n") {
		line, comment, _ := strings.Cut(raw, "//")
		f := strings.Fields(line)
		if block != "" {
			switch {
			case len(f) == 1 && f[0] == ")":
				block = ""
			case block == "require" && len(f) == 2:
				m.Require = append(m.Require, requirement{unquote(f[0]), unquote(f[1]), i + 1,
					strings.TrimSpace(comment) == "indirect"})
			}
			continue
		}
		if len(f) == 0 {
			continue
		}
		switch {
		case len(f) == 2 && f[1] == "(":
			block = f[0]
		case f[0] == "module" && len(f) == 2:
			m.Module = unquote(f[1])
		case f[0] == "go" && len(f) == 2:
			m.Go = f[1]
		case f[0] == "require" && len(f) == 3:
			m.Require = append(m.Require, requirement{unquote(f[1]), unquote(f[2]), i + 1,
				strings.TrimSpace(comment) == "indirect"})
		}
	}
	return m
}

func unquote(s string) string {
	if u, err := strconv.Unquote(s); err == nil {
		return u
	}
	return s
}
