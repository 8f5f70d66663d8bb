package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// warm runs the exact vet/build/test pipeline of a request over programs that import the whole
// importable standard library, so GOCACHE holds every action a user's program can need.
func warm() error {
	out, err := goCommand("list", "-e", "-tags=faketime", "-f", "{{if not .Error}}{{.ImportPath}}{{end}}", "std")
	if err != nil {
		return fmt.Errorf("go list std: %v", err)
	}
	var imports bytes.Buffer
	for _, pkg := range strings.Fields(string(out)) {
		if importable(pkg) {
			fmt.Fprintf(&imports, "\t_ %q\n", pkg)
		}
	}
	programs := []map[string]string{
		{"prog.go": "package main\n\nimport (\n" + imports.String() + ")\n\nfunc main() {}\n"},
		{"prog.go": "package main\n\nimport \"testing\"\n\nfunc TestWarm(t *testing.T) {}\n"},
	}
	for _, files := range programs {
		if err := os.RemoveAll(workDir); err != nil {
			return err
		}
		res := handle(&Header{Files: files, Vet: true, BuildTimeoutMs: 600_000, RunTimeoutMs: 60_000, noFast: true})
		if res.Phase != "run" || res.ExitCode != 0 || !res.VetOK {
			return fmt.Errorf("warm-up program failed: phase=%s exit=%d errors=%s vet=%s",
				res.Phase, res.ExitCode, res.Errors, res.VetErrors)
		}
	}
	if err := writeImportcfg(); err != nil {
		return err
	}
	// Prove the direct compile/link/vet path works with this image's cache before shipping it.
	hello := map[string]string{"prog.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hi\") }\n"}
	if err := os.RemoveAll(workDir); err != nil {
		return err
	}
	res := handle(&Header{Files: hello, Vet: true, BuildTimeoutMs: 600_000, RunTimeoutMs: 60_000})
	if res.Phase != "run" || res.ExitCode != 0 || !res.VetOK || !res.FastBuild {
		return fmt.Errorf("fast vet/build of hello world failed (fast=%v): %s %s", res.FastBuild, res.Errors, res.VetErrors)
	}
	return os.RemoveAll(workDir)
}

// writeImportcfg records where GOCACHE holds each standard package built with -tags=faketime,
// for the direct compile, link and vet calls (fast.go).
func writeImportcfg() error {
	out, err := goCommand("list", "-export", "-tags=faketime", "-deps",
		"-f", "{{if .Export}}packagefile {{.ImportPath}}={{.Export}}{{end}}", "std")
	if err != nil {
		return fmt.Errorf("go list -export std: %v", err)
	}
	if err := os.MkdirAll(filepath.Dir(importcfgPath), 0o755); err != nil {
		return err
	}
	return os.WriteFile(importcfgPath, out, 0o644)
}

// importable leaves out internal, vendored and build-mode-specific packages.
func importable(pkg string) bool {
	switch pkg {
	case "runtime/cgo", "runtime/race", "runtime/msan", "runtime/asan", "plugin", "syscall/js":
		return false
	}
	return !strings.Contains(pkg, "internal") && !strings.HasPrefix(pkg, "vendor/")
}

// goCommand runs the go command with the tools' environment and returns its standard output.
func goCommand(args ...string) ([]byte, error) {
	cmd := exec.Command(goTool, args...)
	cmd.Env = toolEnv
	return cmd.Output()
}
