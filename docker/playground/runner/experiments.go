package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// experiments returns the GOEXPERIMENT settings the playground honours: "// GOEXPERIMENT=name" lines
// among the leading comments of each top-level file, in file-name order, joined by commas.
func experiments(files map[string]string) string {
	names := make([]string, 0, len(files))
	for name := range files {
		if !strings.Contains(name, "/") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var exp []string
	for _, name := range names {
		exp = append(exp, leadingExperiments(files[name])...)
	}
	return strings.Join(exp, ",")
}

// leadingExperiments reads the leading comment lines of src (blank lines allowed between them) and
// returns the value of each "// GOEXPERIMENT=value" among them, as the playground's sandbox does.
func leadingExperiments(src string) []string {
	var exp []string
	for src != "" {
		line := src
		src = ""
		if i := strings.Index(line, "\n"); i >= 0 {
			line, src = line[:i], line[i+1:]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if !strings.HasPrefix(line, "//") {
			break
		}
		line = strings.TrimSpace(strings.TrimPrefix(line, "//"))
		rest, ok := strings.CutPrefix(line, "GOEXPERIMENT")
		if !ok {
			continue
		}
		value, ok := strings.CutPrefix(strings.TrimSpace(rest), "=")
		if value = strings.TrimSpace(value); ok && value != "" {
			exp = append(exp, value)
		}
	}
	return exp
}

// experimentCache is the build cache of a program whose experiments the image did not prebuild: new
// entries go here, the prebuilt ones are linked in (layerCache).
const experimentCache = "/tmp/gocache"

// experimentEnv is the build tools' environment for a program with GOEXPERIMENT=exp. Most packages do
// not depend on an experiment, so the prebuilt cache serves them: read-only as it is when the image
// prebuilt these experiments (warming: the image build itself), else beneath a writable cache.
func experimentEnv(exp string, warming bool) ([]string, error) {
	if warming || prebuiltExperiments(exp) {
		return toolEnvWith("GOEXPERIMENT=" + exp), nil
	}
	if err := layerCache(experimentCache, prebuiltCache); err != nil {
		return nil, fmt.Errorf("preparing the build cache: %v", err)
	}
	return toolEnvWith("GOEXPERIMENT="+exp, "GOCACHE="+experimentCache), nil
}

// prebuiltExperiments reports whether the image prebuilt every experiment exp names.
func prebuiltExperiments(exp string) bool {
	ix, err := readIndex()
	if err != nil {
		return false
	}
	for _, name := range strings.Split(exp, ",") {
		if !slices.Contains(ix.Experiments, strings.TrimSpace(name)) {
			return false
		}
	}
	return true
}

// layerCache makes dst a build cache that holds links to every entry of the read-only cache src in
// directories the build tools may write to, so the go command reuses src and adds what it builds. The
// trim stamp is fresh, so the go command never prunes the links as old entries.
func layerCache(dst, src string) error {
	dirs, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	if err := makeToolDir(dst); err != nil {
		return err
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		if err := makeToolDir(filepath.Join(dst, d.Name())); err != nil {
			return err
		}
		entries, err := os.ReadDir(filepath.Join(src, d.Name()))
		if err != nil {
			return err
		}
		for _, e := range entries {
			if err := os.Symlink(filepath.Join(src, d.Name(), e.Name()), filepath.Join(dst, d.Name(), e.Name())); err != nil {
				return err
			}
		}
	}
	stamp := filepath.Join(dst, "trim.txt")
	if err := os.WriteFile(stamp, []byte(strconv.FormatInt(time.Now().Unix(), 10)+"\n"), 0o644); err != nil {
		return err
	}
	return giveToTools(stamp)
}

// makeToolDir creates dir for the build tools' uid.
func makeToolDir(dir string) error {
	if err := os.Mkdir(dir, 0o755); err != nil && !os.IsExist(err) {
		return err
	}
	return giveToTools(dir)
}

// giveToTools makes path the build tools' own (inside the sandbox; outside it they are the runner).
func giveToTools(path string) error {
	if ids.builder == nil {
		return nil
	}
	return os.Lchown(path, int(ids.builder.Uid), int(ids.builder.Gid))
}
