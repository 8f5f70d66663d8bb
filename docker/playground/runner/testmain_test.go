package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
)

const testFile = "package main\n\nimport (\n\t\"fmt\"\n\t\"testing\"\n)\n\n" +
	"func TestZ(t *testing.T) {}\n\nfunc TestA(t *testing.T) {}\n\nfunc helper() {}\n\n" +
	"func BenchmarkB(b *testing.B) {}\n\nfunc FuzzF(f *testing.F) {}\n\n" +
	"func ExampleOutput() {\n\tfmt.Println(\"hi\")\n\t// Output: hi\n}\n\n" +
	"func ExampleEmptyOutput() {\n\t// Output:\n}\n\n" +
	"func ExampleUnordered() {\n\tfmt.Println(1)\n\t// Unordered output:\n\t// 1\n}\n\n" +
	"func ExampleNoOutput() {\n\tfmt.Println(\"compiled, not run\")\n}\n"

func TestTestFunctionsAreFoundInDeclarationOrder(t *testing.T) {
	tf, err := loadTestFuncs([]string{"./prog_test.go"}, map[string]string{"prog_test.go": testFile})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(tf.tests, ",") != "TestZ,TestA" || strings.Join(tf.benchmarks, ",") != "BenchmarkB" ||
		strings.Join(tf.fuzzTargets, ",") != "FuzzF" || tf.testMain {
		t.Errorf("%+v", tf)
	}
	want := []example{{"ExampleOutput", "hi\n", false}, {"ExampleEmptyOutput", "", false}, {"ExampleUnordered", "1\n", true}}
	if len(tf.examples) != len(want) {
		t.Fatalf("examples %+v, want %+v", tf.examples, want)
	}
	for i := range want {
		if tf.examples[i] != want[i] {
			t.Errorf("example %d: %+v, want %+v", i, tf.examples[i], want[i])
		}
	}
}

// registered parses a generated test main and returns, per list variable, the names it registers.
func registered(t *testing.T, src []byte) (map[string][]string, *ast.File) {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "testmain.go", src, 0)
	if err != nil {
		t.Fatalf("generated test main does not parse: %v\n%s", err, src)
	}
	lists := map[string][]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Values) != 1 {
			return true
		}
		lit, ok := vs.Values[0].(*ast.CompositeLit)
		if !ok {
			return true
		}
		for _, elt := range lit.Elts {
			entry := elt.(*ast.CompositeLit)
			name, _ := strconv.Unquote(entry.Elts[0].(*ast.BasicLit).Value)
			fn := entry.Elts[1].(*ast.SelectorExpr)
			if fn.X.(*ast.Ident).Name != "_test" || fn.Sel.Name != name {
				t.Errorf("%s registered as %s.%s", name, fn.X, fn.Sel.Name)
			}
			lists[vs.Names[0].Name] = append(lists[vs.Names[0].Name], name)
		}
		return true
	})
	return lists, f
}

func TestTestMainRegistersEveryFunctionGoTestWouldRun(t *testing.T) {
	tf, _ := loadTestFuncs([]string{"./prog_test.go"}, map[string]string{"prog_test.go": testFile})
	lists, f := registered(t, tf.testmain("play"))
	if f.Name.Name != "main" {
		t.Errorf("package %s", f.Name.Name)
	}
	for list, want := range map[string]string{"tests": "TestZ,TestA", "benchmarks": "BenchmarkB", "fuzzTargets": "FuzzF",
		"examples": "ExampleOutput,ExampleEmptyOutput,ExampleUnordered"} {
		if got := strings.Join(lists[list], ","); got != want {
			t.Errorf("%s: %s, want %s", list, got, want)
		}
	}
	imports := map[string]string{}
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		imports[path] = ""
		if imp.Name != nil {
			imports[path] = imp.Name.Name
		}
	}
	if imports["play"] != "_test" || imports["testing/internal/testdeps"] != "" {
		t.Errorf("imports %v", imports)
	}
	if _, ok := imports["reflect"]; ok {
		t.Error("reflect imported without a TestMain")
	}
}

func TestTestMainHandsOverToTheUsersTestMain(t *testing.T) {
	src := "package main\n\nimport (\n\t\"os\"\n\t\"testing\"\n)\n\nfunc TestMain(m *testing.M) { os.Exit(m.Run()) }\n"
	tf, err := loadTestFuncs([]string{"./prog_test.go"}, map[string]string{"prog_test.go": src})
	if err != nil || !tf.testMain || len(tf.tests) != 0 {
		t.Fatalf("%+v, %v", tf, err)
	}
	out := string(tf.testmain("play"))
	if !strings.Contains(out, "_test.TestMain(m)") || !strings.Contains(out, "\"reflect\"") || strings.Contains(out, "m.Run()") {
		t.Errorf("test main does not call the user's TestMain:\n%s", out)
	}
}

func TestTestMainWithOnlyUnrunExamplesImportsThePackageBlank(t *testing.T) {
	src := "package main\n\nfunc ExampleX() {}\n"
	tf, err := loadTestFuncs([]string{"./prog_test.go"}, map[string]string{"prog_test.go": src})
	if err != nil {
		t.Fatal(err)
	}
	if _, f := registered(t, tf.testmain("play")); f.Imports[len(f.Imports)-1].Name.Name != "_" {
		t.Error("the package under test is imported by name although nothing refers to it")
	}
}

func TestATestMainWithATestingTIsATest(t *testing.T) {
	src := "package main\n\nimport \"testing\"\n\nfunc TestMain(t *testing.T) {}\n"
	tf, err := loadTestFuncs([]string{"./prog_test.go"}, map[string]string{"prog_test.go": src})
	if err != nil || tf.testMain || strings.Join(tf.tests, ",") != "TestMain" {
		t.Errorf("%+v, %v", tf, err)
	}
}
