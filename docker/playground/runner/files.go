package main

import (
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// checkFiles applies the contract's limits on the number of files and their names.
func checkFiles(files map[string]string) error {
	if len(files) > contract.MaxFiles {
		return fmt.Errorf("too many files (%d, limit %d)", len(files), contract.MaxFiles)
	}
	for name := range files {
		if err := contract.checkName(name); err != nil {
			return err
		}
	}
	return nil
}

// sourceDating is how far in the future writeFiles dates the files it writes: the go command indexes
// (into its cache, read-only in a run) only a directory whose files are all older than a few seconds.
const sourceDating = time.Hour

// writeFiles writes files (names already checked) under dir, dated sourceDating ahead.
func writeFiles(dir string, files map[string]string) error {
	names := make([]string, 0, len(files))
	for name := range files {
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
		future := time.Now().Add(sourceDating)
		if err := os.Chtimes(full, future, future); err != nil {
			return err
		}
	}
	return nil
}

// notMain reports whether a top-level Go file declares a package other than main: the playground
// refuses those (files in subdirectories may be other packages).
func notMain(files map[string]string) bool {
	for name, src := range files {
		if strings.Contains(name, "/") || !strings.HasSuffix(name, ".go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.PackageClauseOnly)
		if err == nil && f.Name.Name != "main" {
			return true
		}
	}
	return false
}

// isTestProgram applies the playground's rule to prog.go: package main, no func main, and a test,
// benchmark, fuzz target or TestMain with one *T, *B, *F or *M parameter (testingParamName), or an
// example. Such a program is built with go test -c and run with -test.v.
func isTestProgram(src string) bool {
	if src == "" {
		return false
	}
	f, err := parser.ParseFile(token.NewFileSet(), progName, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil || f.Name.Name != "main" {
		return false
	}
	hasTests := false
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok {
			continue
		}
		name := fn.Name.Name
		switch {
		case name == "main":
			if fn.Recv == nil {
				return false
			}
		case fn.Recv != nil:
		case isTestName(name, "Test"), isTestName(name, "Benchmark"), isTestName(name, "Fuzz"):
			hasTests = hasTests || slices.Contains([]string{"T", "B", "F", "M"}, testingParamName(fn))
		}
	}
	return hasTests || len(doc.Examples(f)) > 0
}

// isTestName follows go test's rule: the prefix, then nothing or a rune that is not lower case.
func isTestName(name, prefix string) bool {
	if !strings.HasPrefix(name, prefix) {
		return false
	}
	if len(name) == len(prefix) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(name[len(prefix):])
	return !unicode.IsLower(r)
}
