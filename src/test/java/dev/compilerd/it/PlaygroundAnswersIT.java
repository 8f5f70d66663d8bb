package dev.compilerd.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The answers the Go playground gives, word for word, where compilerd used to differ; the modules the image bakes
 * in; and test mode through the direct path and the go command giving the same answer.
 */
class PlaygroundAnswersIT {
    static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start("compilerd-it-answers", "--pool", "1");
    }

    @AfterAll
    static void stop() throws Exception {
        server.stopCleanly();
    }

    static JsonNode run(String source) throws Exception {
        return server.compileOk(source);
    }

    static JsonNode vetted(String source) throws Exception {
        HttpResponse<String> r = server.client.send(HttpRequest.newBuilder(server.uri("/compile"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(ServerProcess.JSON.writeValueAsString(
                        java.util.Map.of("body", source, "withVet", true)))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return ServerProcess.JSON.readTree(r.body());
    }

    @Test
    void aPackageOtherThanMainIsRefusedInThePlaygroundsWords() throws Exception {
        JsonNode r = run("package foo\n\nfunc Foo() {}\n");
        assertThat(r.get("Errors").asText()).isEqualTo("package name must be main");
        assertThat(r.get("Events").isNull()).isTrue();
    }

    @Test
    void compileAndVetErrorsCarryNoGoCommandBanners() throws Exception {
        JsonNode build = run("-- go.mod --\nmodule play\n-- prog.go --\npackage main\n\nfunc main() {\n\tx := 1\n}\n");
        assertThat(build.get("Errors").asText()).isEqualTo("./prog.go:4:2: declared and not used: x\n");
        JsonNode vet = vetted("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Printf(\"%d\\n\", \"s\") }\n");
        // Since Go 1.26 vet names files relative to the package, as the playground then shows them.
        assertThat(vet.get("VetErrors").asText()).startsWith("prog.go:5:").doesNotContain("# ");
    }

    @Test
    void aTestProgramsCompileErrorNamesItsTestFile() throws Exception {
        JsonNode r = run("package main\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) {\n\tx := 1\n}\n");
        assertThat(r.get("Errors").asText()).isEqualTo("./prog_test.go:6:2: declared and not used: x\n");
    }

    @Test
    void examplesOfAnyNameRun() throws Exception {
        JsonNode r = run("package main\n\nimport \"fmt\"\n\nfunc ExampleOutput() {\n\tfmt.Println(\"hi\")\n\t// Output: hi\n}\n\n"
                + "func ExampleEmptyOutput() {\n\t// Output:\n}\n");
        assertThat(r.get("Errors").asText()).isEmpty();
        assertThat(r.get("IsTest").asBoolean()).isTrue();
        assertThat(CompileIT.stdout(r)).contains("--- PASS: ExampleOutput", "--- PASS: ExampleEmptyOutput", "PASS");
    }

    static final String TESTS = """
            package main

            import (
            	"fmt"
            	"testing"
            )

            func TestPass(t *testing.T) {}

            func TestFail(t *testing.T) { t.Error("nope") }

            func BenchmarkNothing(b *testing.B) {
            	for i := 0; i < b.N; i++ {
            	}
            }

            func ExampleHello() {
            	fmt.Println("hello")
            	// Output: hello
            }
            """;

    @Test
    void testModeAnswersAlikeThroughTheDirectPathAndTheGoCommand() throws Exception {
        JsonNode direct = run(TESTS);
        // A go.mod of the user's own sends the same program through go test -c.
        JsonNode goCommand = run("-- go.mod --\nmodule play\n\ngo 1.24\n-- prog.go --\n" + TESTS);
        assertThat(direct.get("IsTest").asBoolean()).isTrue();
        assertThat(direct.get("TestsFailed").asInt()).isEqualTo(1);
        assertThat(CompileIT.stdout(direct)).contains("--- PASS: TestPass", "--- FAIL: TestFail", "--- PASS: ExampleHello");
        assertThat(goCommand.get("IsTest")).isEqualTo(direct.get("IsTest"));
        assertThat(goCommand.get("TestsFailed")).isEqualTo(direct.get("TestsFailed"));
        assertThat(goCommand.get("Status")).isEqualTo(direct.get("Status"));
        assertThat(CompileIT.stdout(goCommand)).isEqualTo(CompileIT.stdout(direct));
    }

    static final String MODULES = """
            package main

            import (
            	"context"
            	"fmt"
            	"strings"

            	"github.com/google/go-cmp/cmp"
            	"golang.org/x/crypto/sha3"
            	"golang.org/x/exp/slices"
            	"golang.org/x/net/html"
            	"golang.org/x/sync/errgroup"
            	"golang.org/x/text/cases"
            	"golang.org/x/text/language"
            )

            func main() {
            	fmt.Println(slices.Contains([]int{1, 2}, 2))
            	g, _ := errgroup.WithContext(context.Background())
            	g.Go(func() error { return nil })
            	fmt.Println(g.Wait() == nil)
            	fmt.Println(cases.Title(language.English).String("playground"))
            	doc, _ := html.Parse(strings.NewReader("<p>x</p>"))
            	fmt.Println(doc.FirstChild.Data)
            	fmt.Printf("%x\\n", sha3.Sum256([]byte("x")))
            	fmt.Println(cmp.Diff(1, 1) == "")
            }
            """;

    @Test
    void everyBakedModuleBuildsAndRunsWithoutAGoMod() throws Exception {
        JsonNode r = run(MODULES);
        assertThat(r.get("Errors").asText()).isEmpty();
        String sha3 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA3-256")
                .digest("x".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(CompileIT.stdout(r)).isEqualTo("true\ntrue\nPlayground\nhtml\n" + sha3 + "\ntrue\n");
    }

    @Test
    void aGoModRequiringTheBakedVersionBuildsAndAnotherVersionIsRefusedNamingTheOneThereIs() throws Exception {
        String exp = moduleVersion("golang.org/x/exp");
        String program = "-- prog.go --\npackage main\n\nimport (\n\t\"fmt\"\n\n\t\"golang.org/x/exp/slices\"\n)\n\n"
                + "func main() { fmt.Println(slices.Max([]int{3, 9, 4})) }\n";
        JsonNode ok = run("-- go.mod --\nmodule play\n\ngo 1.24\n\nrequire golang.org/x/exp " + exp + "\n" + program);
        assertThat(ok.get("Errors").asText()).isEmpty();
        assertThat(CompileIT.stdout(ok)).isEqualTo("9\n");
        JsonNode missing = run("-- go.mod --\nmodule play\n\ngo 1.24\n\nrequire golang.org/x/exp"
                + " v0.0.0-20240506185415-9bf2ced13842\n" + program);
        assertThat(missing.get("Errors").asText()).contains("golang.org/x/exp@v0.0.0-20240506185415-9bf2ced13842 is not"
                + " available").contains("golang.org/x/exp@" + exp);
    }

    @Test
    void versionNamesTheGoReleaseAndTheModules() throws Exception {
        JsonNode v = ServerProcess.JSON.readTree(server.get("/version").body());
        assertThat(v.get("Version").asText()).startsWith("go1.27.");
        assertThat(v.get("Release").asText()).isEqualTo("go1.27");
        assertThat(v.get("Name").asText()).isEqualTo("Go 1.27");
        java.util.List<String> paths = new java.util.ArrayList<>();
        v.get("Modules").forEach(m -> paths.add(m.get("Path").asText()));
        assertThat(paths).contains("golang.org/x/exp", "golang.org/x/sync", "golang.org/x/text", "golang.org/x/net",
                "golang.org/x/crypto", "github.com/google/go-cmp", "golang.org/x/tools", "golang.org/x/mod");
    }

    static String moduleVersion(String path) throws Exception {
        for (JsonNode m : ServerProcess.JSON.readTree(server.get("/version").body()).get("Modules")) {
            if (m.get("Path").asText().equals(path)) {
                return m.get("Version").asText();
            }
        }
        throw new AssertionError("no module " + path);
    }
}
