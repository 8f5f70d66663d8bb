package main

import (
	"strings"
	"testing"
)

func TestFormatsAsThePlaygroundDoes(t *testing.T) {
	cases := []struct {
		name, src, want, wantErr string
		imports                  bool
		ok                       bool
	}{
		{name: "prog.go", src: "package main\nfunc main(){println( 1 )}\n",
			want: "package main\n\nfunc main() { println(1) }\n", ok: true},
		{name: "prog.go", src: "package main\nfunc main() { fmt.Println(1) }\n", imports: true,
			want: "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(1) }\n", ok: true},
		{name: "prog.go", src: "package main\nfunc main() {\n", wantErr: "prog.go:2:", ok: true},
		{name: "prog.go", src: "package main\nfunc main() {\n", imports: true, wantErr: "prog.go:2:", ok: true},
		{name: "sub/x.go", src: "package sub\nvar  X=1\n", want: "package sub\n\nvar X = 1\n", ok: true},
		{name: "go.mod", src: "module   play\ngo 1.27\nrequire  example.com/m v1.0.0\n",
			want: "module play\n\ngo 1.27\n\nrequire example.com/m v1.0.0\n", ok: true},
		{name: "go.mod", src: "module play\nbogus x\n", wantErr: "go.mod:2:", ok: true},
		{name: "notes.txt", src: "  left  alone ", ok: false},
	}
	for _, c := range cases {
		out, err, ok := formatFile(c.name, []byte(c.src), c.imports)
		if ok != c.ok {
			t.Errorf("%s: ok %v, want %v", c.name, ok, c.ok)
			continue
		}
		switch {
		case c.wantErr != "":
			if err == nil || !strings.HasPrefix(err.Error(), c.wantErr) {
				t.Errorf("%s %q: error %v, want prefix %q", c.name, c.src, err, c.wantErr)
			}
		case err != nil:
			t.Errorf("%s %q: %v", c.name, c.src, err)
		case string(out) != c.want:
			t.Errorf("%s %q: got %q, want %q", c.name, c.src, out, c.want)
		}
	}
}
