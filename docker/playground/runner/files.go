package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
)

// writeFiles validates every name (relative, clean, shallow, bounded) before writing anything.
func writeFiles(dir string, files map[string]string) error {
	if len(files) > maxFiles {
		return fmt.Errorf("too many files (%d, limit %d)", len(files), maxFiles)
	}
	names := make([]string, 0, len(files))
	for name := range files {
		if err := checkName(name); err != nil {
			return err
		}
		names = append(names, name)
	}
	sort.Strings(names)
	// Sticky and world-writable: the build tools and the program (other uids) may add files here,
	// but none can remove or replace the sources the runner wrote.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.Chmod(dir, 0o777|os.ModeSticky); err != nil {
		return err
	}
	if _, ok := files["go.mod"]; !ok {
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(defaultGoModFile), 0o666); err != nil {
			return err
		}
		if err := os.Chmod(filepath.Join(dir, "go.mod"), 0o666); err != nil { // past the umask
			return err
		}
	}
	for _, name := range names {
		full := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		// World-writable (in a sticky directory): the go command, as the build uid, may update go.mod.
		if err := os.WriteFile(full, []byte(files[name]), 0o666); err != nil {
			return err
		}
		if err := os.Chmod(full, 0o666); err != nil { // past the umask
			return err
		}
	}
	return nil
}

func checkName(name string) error {
	switch {
	case name == "" || len(name) > maxFileNameLen:
		return fmt.Errorf("invalid file name %q", name)
	case strings.HasPrefix(name, "/") || path.Clean(name) != name || strings.Contains(name, ".."):
		return fmt.Errorf("invalid file name %q: must be a clean relative path", name)
	case strings.Count(name, "/") >= maxPathDepth:
		return fmt.Errorf("file name %q is nested too deeply (limit %d)", name, maxPathDepth)
	}
	for _, r := range name {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._-/", r)) {
			return fmt.Errorf("invalid character %q in file name %q", r, name)
		}
	}
	return nil
}

// isTestProgram reports whether the top-level package main has test functions and no main,
// in which case it is built with go test -c, as the Go playground does.
func isTestProgram(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, err
	}
	fset := token.NewFileSet()
	hasMain, hasTests := false, false
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.SkipObjectResolution)
		if err != nil {
			return false, err
		}
		if f.Name.Name != "main" {
			continue
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv != nil {
				continue
			}
			name := fn.Name.Name
			if name == "main" {
				hasMain = true
			}
			for _, prefix := range []string{"Test", "Benchmark", "Example", "Fuzz"} {
				if isTestName(name, prefix) {
					hasTests = true
				}
			}
		}
	}
	return hasTests && !hasMain, nil
}

// isTestName follows go test's rule: the prefix, then nothing or a non-lowercase rune.
func isTestName(name, prefix string) bool {
	if !strings.HasPrefix(name, prefix) {
		return false
	}
	rest := name[len(prefix):]
	return rest == "" || !unicode.IsLower([]rune(rest)[0])
}

// renameForTest gives every top-level .go file a _test.go name and returns new name → original name.
func renameForTest(dir string) (map[string]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	renamed := map[string]string{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		to := strings.TrimSuffix(name, ".go") + "_test.go"
		if _, err := os.Stat(filepath.Join(dir, to)); err == nil {
			return nil, fmt.Errorf("cannot run tests: both %s and %s exist", name, to)
		}
		if err := os.Rename(filepath.Join(dir, name), filepath.Join(dir, to)); err != nil {
			return nil, err
		}
		renamed[to] = name
	}
	return renamed, nil
}
