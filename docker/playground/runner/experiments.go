package main

import (
	"errors"
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

// experimentEnv is env with GOEXPERIMENT=exp: most packages do not depend on an experiment, so the
// prebuilt cache still serves them, and the image prebuilds the experiments of WARM_EXPERIMENTS whole.
func experimentEnv(env []string, exp string) []string {
	return envWith(env, "GOEXPERIMENT="+exp)
}

// notPrebuilt says why a build under the experiments exp timed out when the image did not prebuild them
// all (one that changes the runtime recompiles most of the standard library, far past the build limit);
// "" when there are none or the image prebuilt them.
func notPrebuilt(exp string) string {
	if exp == "" {
		return ""
	}
	var prebuilt []string
	if ix, err := readIndex(); err == nil {
		prebuilt = ix.Experiments
	}
	for _, e := range strings.Split(exp, ",") {
		if !slices.Contains(prebuilt, e) {
			return fmt.Sprintf(": GOEXPERIMENT=%s is not prebuilt in this sandbox (prebuilt: %s), and building "+
				"the standard library under it takes longer than the build limit", exp, strings.Join(prebuilt, ","))
		}
	}
	return ""
}

// layeredCache is the go command's build cache in a run that fetches modules or sets an experiment the
// image did not prebuild: a writable cache in /tmp over the prebuilt one (layerCache), since the go
// command indexes each module it downloads into its cache, and fails on packages a read-only cache lacks;
// the prebuilt cache stays read-only. Other runs build on the read-only one: the go command never
// needs to write there (writeFiles dates the program's files so that it never indexes them), and what it
// fails to store it builds again.
const layeredCache = "/tmp/gocache"

// layerCacheFlag makes the runner build the layered cache as the build tools' uid, so they own it.
const layerCacheFlag = "-layer-cache"

// withLayeredCache is env with GOCACHE the layered cache, made (once per run) by the build tools' uid
// within the deadline.
func withLayeredCache(env []string, deadline time.Time) ([]string, error) {
	if _, err := os.Stat(layeredCache); err != nil {
		if out, ok, timedOut := runTool(time.Until(deadline), toolEnv, runnerPath, layerCacheFlag, layeredCache,
			prebuiltCache); !ok {
			if timedOut {
				return nil, errors.New(buildTimeoutError)
			}
			return nil, fmt.Errorf("preparing the build cache: %s", strings.TrimSpace(string(out)))
		}
	}
	return envWith(env, "GOCACHE="+layeredCache), nil
}

// layerCache makes dst a build cache that holds links to every entry of the read-only cache src in
// directories of its own, so the go command reuses src and adds what it builds. The trim stamp is fresh,
// so the go command never prunes the links as old entries. Runs as the build tools' uid.
func layerCache(dst, src string) error {
	dirs, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	if err := os.Mkdir(dst, 0o755); err != nil {
		return err
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		if err := os.Mkdir(filepath.Join(dst, d.Name()), 0o755); err != nil {
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
	return os.WriteFile(filepath.Join(dst, "trim.txt"), []byte(strconv.FormatInt(time.Now().Unix(), 10)+"\n"), 0o644)
}
