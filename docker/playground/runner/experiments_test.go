package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestExperimentsComeFromLeadingCommentsOfTopLevelFiles(t *testing.T) {
	cases := []struct {
		files map[string]string
		want  string
	}{
		{map[string]string{"prog.go": "package main\n"}, ""},
		{map[string]string{"prog.go": "// GOEXPERIMENT=jsonv2\n\npackage main\n"}, "jsonv2"},
		{map[string]string{"prog.go": "// Demo.\n//GOEXPERIMENT = a,b\n\n// GOEXPERIMENT=c\npackage main\n"}, "a,b,c"},
		{map[string]string{"prog.go": "package main\n// GOEXPERIMENT=late\n"}, ""},
		{map[string]string{"prog.go": "/* block */\n// GOEXPERIMENT=x\npackage main\n"}, ""},
		{map[string]string{"prog.go": "// GOEXPERIMENT=\n// GOEXPERIMENTAL=y\npackage main\n"}, ""},
		{map[string]string{"b.go": "// GOEXPERIMENT=b\npackage main\n", "a.go": "// GOEXPERIMENT=a\npackage main\n",
			"sub/s.go": "// GOEXPERIMENT=sub\npackage sub\n"}, "a,b"},
	}
	for _, c := range cases {
		if got := experiments(c.files); got != c.want {
			t.Errorf("experiments(%q) = %q, want %q", c.files, got, c.want)
		}
	}
}

func TestLayerCacheLinksEveryEntryUnderWritableDirectories(t *testing.T) {
	src, dst := t.TempDir(), filepath.Join(t.TempDir(), "gocache")
	if err := os.MkdirAll(filepath.Join(src, "0a"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"0a/0a11-a": "v1 entry\n", "0a/0a22-d": "output", "trim.txt": "1\n"} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(data), 0o444); err != nil {
			t.Fatal(err)
		}
	}
	if err := layerCache(dst, src); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(filepath.Join(dst, "0a", "0a22-d")); err != nil || string(data) != "output" {
		t.Errorf("linked entry reads %q, %v", data, err)
	}
	if err := os.WriteFile(filepath.Join(dst, "0a", "0a33-d"), []byte("new"), 0o644); err != nil {
		t.Errorf("the layered directory is not writable: %v", err)
	}
	stamp, err := os.ReadFile(filepath.Join(dst, "trim.txt"))
	if n, _ := strconv.ParseInt(strings.TrimSpace(string(stamp)), 10, 64); err != nil || time.Now().Unix()-n > 5 {
		t.Errorf("trim stamp %q is not fresh (%v): the go command would prune the links", stamp, err)
	}
}

func TestABuildTimeoutUnderAnExperimentNotPrebuiltSaysSo(t *testing.T) {
	if got := notPrebuilt(""); got != "" {
		t.Errorf("no experiment: %q", got)
	}
	got := notPrebuilt("bogusexperiment")
	if !strings.Contains(got, "GOEXPERIMENT=bogusexperiment is not prebuilt in this sandbox (prebuilt: ") {
		t.Errorf("an experiment not prebuilt: %q", got)
	}
	if ix, err := readIndex(); err == nil && len(ix.Experiments) > 0 { // in the image
		if got := notPrebuilt(strings.Join(ix.Experiments, ",")); got != "" {
			t.Errorf("prebuilt %v: %q", ix.Experiments, got)
		}
	}
}
