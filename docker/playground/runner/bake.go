package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Image build only: bakeModules turns Debian's Go source packages (golang-*-dev, sources under
// /usr/share/gocode/src) into a read-only module cache that doubles as a GOPROXY=file:// proxy,
// and writes modules.json. Debian packages one version of each module, so each module's go.mod is
// narrowed to require exactly the versions the image has (and nothing it lacks): any set of them
// then resolves offline.

const gocodeSrc = "/usr/share/gocode/src"

// debianSnapshots maps Debian's snapshot versions, which keep only the commit's date and short hash,
// to the upstream pseudo-versions (commit time and 12-digit hash); bakeModules refuses a snapshot
// it does not know rather than invent a version.
var debianSnapshots = map[string]string{
	"golang.org/x/exp 0.0~git20231006.7918f67": "v0.0.0-20231006140011-7918f672742d",
	"golang.org/x/exp 0.0~git20261009.ca0d7ba": "v0.0.0-20261009195045-ca0d7ba23607",
}

// bakedModule is one module found in Debian's packages.
type bakedModule struct {
	Module
	dir     string // its source directory
	goMod   goMod  // its own go.mod
	deb     string // the Debian package and version it came from
	infoRaw []byte // the proxy's .info
}

func bakeModules(args []string) error {
	if len(args) != 0 {
		return fmt.Errorf("usage: runner -bake-modules (reads every installed golang-*-dev package)")
	}
	mods, err := debianModules()
	if err != nil {
		return err
	}
	proxy, err := os.MkdirTemp("", "bake-proxy")
	if err != nil {
		return err
	}
	defer os.RemoveAll(proxy)
	var targets []string
	for _, m := range mods {
		if err := writeProxyVersion(proxy, m, mods); err != nil {
			return fmt.Errorf("%s: %v", m.Path, err)
		}
		targets = append(targets, m.Path+"@"+m.Version)
	}
	// The go command itself fills the module cache, so it checks every zip as it would a download.
	cmd := exec.Command(goTool, append([]string{"mod", "download", "-json"}, targets...)...)
	cmd.Dir = proxy
	cmd.Env = toolEnvWith("GOPROXY=file://"+proxy, "GOMODCACHE="+modCacheDir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("go mod download: %v\n%s%s", err, out, stderr.Bytes())
	}
	// Its hashes of each module, for the go.sum of a program that may also fetch modules (relay.go).
	sums := map[string]Module{}
	for dec := json.NewDecoder(bytes.NewReader(out)); dec.More(); {
		var d Module
		if err := dec.Decode(&struct {
			Path     *string
			Version  *string
			Sum      *string
			GoModSum *string
		}{&d.Path, &d.Version, &d.Sum, &d.GoModSum}); err != nil {
			return fmt.Errorf("go mod download -json: %v", err)
		}
		sums[d.Path+"@"+d.Version] = d
	}
	for _, m := range mods {
		d := sums[m.Path+"@"+m.Version]
		if d.Sum == "" || d.GoModSum == "" {
			return fmt.Errorf("go mod download -json gave no hashes for %s@%s", m.Path, m.Version)
		}
		m.Sum, m.GoModSum = d.Sum, d.GoModSum
	}
	for _, m := range mods {
		// @latest answers "latest" queries for pseudo-versions, which a proxy's list leaves out.
		latest := filepath.Join(modCacheDir, "cache", "download", escapePath(m.Path), "@latest")
		if err := os.WriteFile(latest, m.infoRaw, 0o444); err != nil {
			return err
		}
	}
	out, err = goCommand("env", "GOVERSION")
	if err != nil {
		return fmt.Errorf("go env GOVERSION: %v", err)
	}
	list := Modules{GoVersion: strings.TrimSpace(string(out))}
	for _, m := range mods {
		list.Modules = append(list.Modules, m.Module)
		fmt.Printf("baked %s@%s from %s\n", m.Path, m.Version, m.deb)
	}
	data, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(libDir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(modulesFile, append(data, '\n'), 0o644)
}

// debianModules finds the module root of every installed golang-*-dev package: the shallowest go.mod
// it installs under gocodeSrc, whose module path must match its directory.
func debianModules() ([]*bakedModule, error) {
	out, err := exec.Command("dpkg-query", "-W", "-f", "${Package}\t${Version}\n", "golang-*-dev").Output()
	if err != nil {
		return nil, fmt.Errorf("dpkg-query: %v", err)
	}
	var mods []*bakedModule
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, debVersion, ok := strings.Cut(line, "\t")
		if !ok || debVersion == "" {
			continue // known to dpkg but not installed
		}
		listed, err := exec.Command("dpkg", "-L", pkg).Output()
		if err != nil {
			return nil, fmt.Errorf("dpkg -L %s: %v", pkg, err)
		}
		root := ""
		for _, f := range strings.Split(string(listed), "\n") {
			if strings.HasPrefix(f, gocodeSrc+"/") && path.Base(f) == "go.mod" &&
				(root == "" || strings.Count(f, "/") < strings.Count(root, "/")) {
				root = f
			}
		}
		if root == "" {
			continue
		}
		data, err := os.ReadFile(root)
		if err != nil {
			return nil, err
		}
		gm := parseGoMod(string(data))
		dir := filepath.Dir(root)
		if rel := strings.TrimPrefix(dir, gocodeSrc+"/"); gm.Module != rel {
			return nil, fmt.Errorf("%s: module %q does not match its directory %s", pkg, gm.Module, rel)
		}
		version, err := moduleVersion(gm.Module, debVersion)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", pkg, err)
		}
		mods = append(mods, &bakedModule{Module: Module{Path: gm.Module, Version: version}, dir: dir, goMod: gm, deb: pkg + " " + debVersion})
	}
	sort.Slice(mods, func(i, j int) bool { return mods[i].Path < mods[j].Path })
	if len(mods) == 0 {
		return nil, fmt.Errorf("no golang-*-dev package with a go.mod is installed")
	}
	return mods, nil
}

// Compiled on first use: only -bake-modules needs them, not the runner of every request.
var (
	semverRE   = lazyRegexp(`^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$`)
	snapshotRE = lazyRegexp(`~git([0-9]{8})\.([0-9a-f]{7,})`)
	majorRE    = lazyRegexp(`/v([2-9][0-9]*)$`)
	pseudoRE   = lazyRegexp(`-(?:0\.)?([0-9]{14})-[0-9a-f]{12}$`)
)

func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// moduleVersion turns a Debian version (epoch:upstream+repack-revision) into the module's Go version.
func moduleVersion(modPath, debVersion string) (string, error) {
	v := debVersion
	if i := strings.Index(v, ":"); i >= 0 {
		v = v[i+1:]
	}
	if i := strings.LastIndex(v, "-"); i >= 0 {
		v = v[:i]
	}
	if i := strings.Index(v, "+"); i >= 0 {
		v = v[:i] // +ds, +dfsg: Debian's repacks
	}
	if m := snapshotRE().FindStringSubmatch(v); m != nil {
		pseudo, ok := debianSnapshots[modPath+" "+v]
		if !ok {
			return "", fmt.Errorf("Debian version %s is a snapshot; add its pseudo-version to debianSnapshots", debVersion)
		}
		if !strings.Contains(pseudo, "-"+m[1]) || !strings.Contains(pseudo, "-"+m[2]) {
			return "", fmt.Errorf("pseudo-version %s does not match Debian version %s", pseudo, debVersion)
		}
		return pseudo, nil
	}
	v = "v" + strings.ReplaceAll(v, "~", "-")
	m := semverRE().FindStringSubmatch(v)
	if m == nil {
		return "", fmt.Errorf("Debian version %s is not a semantic version", debVersion)
	}
	want := "0 or 1"
	if mm := majorRE().FindStringSubmatch(modPath); mm != nil {
		want = mm[1]
	}
	if got := m[1]; !(got == want || want == "0 or 1" && (got == "0" || got == "1")) {
		return "", fmt.Errorf("version %s does not match the module path's major version", v)
	}
	return v, nil
}

// narrowedGoMod is m's go.mod requiring exactly the baked versions of the baked modules it requires.
func narrowedGoMod(m *bakedModule, mods []*bakedModule) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Narrowed at image build to the modules this sandbox has (compilerd bake.go).\n\nmodule %s\n", m.Path)
	if m.goMod.Go != "" {
		fmt.Fprintf(&b, "\ngo %s\n", m.goMod.Go)
	}
	var reqs []string
	for _, r := range m.goMod.Require {
		for _, other := range mods {
			if other.Path == r.Path {
				reqs = append(reqs, fmt.Sprintf("\t%s %s\n", other.Path, other.Version))
			}
		}
	}
	if len(reqs) > 0 {
		sort.Strings(reqs)
		fmt.Fprintf(&b, "\nrequire (\n%s)\n", strings.Join(reqs, ""))
	}
	return b.Bytes()
}

// writeProxyVersion writes m's .info, .mod and .zip in GOPROXY layout under dir.
func writeProxyVersion(dir string, m *bakedModule, mods []*bakedModule) error {
	vdir := filepath.Join(dir, escapePath(m.Path), "@v")
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		return err
	}
	info := map[string]string{"Version": m.Version}
	if t, ok := pseudoTime(m.Version); ok {
		info["Time"] = t.Format(time.RFC3339)
	}
	m.infoRaw, _ = json.Marshal(info)
	gomod := narrowedGoMod(m, mods)
	base := filepath.Join(vdir, m.Version)
	if err := os.WriteFile(base+".info", m.infoRaw, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(base+".mod", gomod, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(vdir, "list"), []byte(m.Version+"\n"), 0o644); err != nil {
		return err
	}
	return writeModuleZip(base+".zip", m, gomod)
}

// pseudoTime is the commit time a pseudo-version carries.
func pseudoTime(v string) (time.Time, bool) {
	m := pseudoRE().FindStringSubmatch(v)
	if m == nil {
		return time.Time{}, false
	}
	t, err := time.Parse("20060102150405", m[1])
	return t, err == nil
}

// writeModuleZip packs m's directory the way a module zip holds it: every regular file under
// path@version/, leaving out nested modules, version-control directories and vendored packages,
// with the narrowed go.mod.
func writeModuleZip(file string, m *bakedModule, gomod []byte) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	prefix := m.Path + "@" + m.Version + "/"
	err = filepath.WalkDir(m.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(strings.TrimPrefix(p, m.dir), "/"))
		if d.IsDir() {
			switch d.Name() {
			case ".git", ".hg", ".svn", ".bzr":
				return filepath.SkipDir
			}
			if rel != "" {
				if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
					return filepath.SkipDir // a nested module is not part of this one
				}
			}
			return nil
		}
		if !d.Type().IsRegular() || inVendoredPackage(rel) {
			return nil
		}
		w, err := zw.Create(prefix + rel)
		if err != nil {
			return err
		}
		if rel == "go.mod" {
			_, err = w.Write(gomod)
			return err
		}
		data, err := os.ReadFile(p)
		if err == nil {
			_, err = w.Write(data)
		}
		return err
	})
	if err != nil {
		return err
	}
	return zw.Close()
}

// inVendoredPackage reports whether rel lies in a package below a vendor directory.
func inVendoredPackage(rel string) bool {
	elems := strings.Split(rel, "/")
	for i, e := range elems[:len(elems)-1] {
		if e == "vendor" && i < len(elems)-2 {
			return true
		}
	}
	return false
}

// escapePath is the module cache's case encoding: each upper-case letter becomes '!' and its lower case.
func escapePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
