package dev.compilerd.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What today's playground users send beside programs: // GOEXPERIMENT= comments and POST /fmt, on both releases. */
class TodaysGoIT {
    /** encoding/json/v2 exists only under GOEXPERIMENT=jsonv2 (prebuilt in the image). */
    private static final String JSONV2 = """
            // GOEXPERIMENT=jsonv2

            package main

            import (
            \t"encoding/json/v2"
            \t"fmt"
            )

            func main() {
            \tb, err := json.Marshal(map[string]int{"a": 1})
            \tfmt.Printf("%s %v\\n", b, err)
            }
            """;
    /** runtime/secret exists only under GOEXPERIMENT=runtimesecret, which the image does not prebuild: it changes the runtime. */
    private static final String SECRET = """
            // A program for Go's secret-erasing runtime.
            // GOEXPERIMENT=runtimesecret
            package main

            import (
            \t"fmt"
            \t"runtime/secret"
            )

            func main() {
            \tsecret.Do(func() { fmt.Println("inside") })
            \tfmt.Println("done")
            }
            """;

    private static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start("compilerd-it-todays-go", "--workers", "2");
    }

    @AfterAll
    static void stop() throws Exception {
        server.stopCleanly();
    }

    private static JsonNode ok(String path, String contentType, String body) throws Exception {
        HttpResponse<String> r = server.client.send(HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return ServerProcess.JSON.readTree(r.body());
    }

    private static JsonNode run(String path, String source) throws Exception {
        return ok(path, "text/plain", source);
    }

    private static String form(String... pairs) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            b.append(i == 0 ? "" : "&").append(pairs[i]).append('=')
                    .append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
        }
        return b.toString();
    }

    @Test
    void aPrebuiltExperimentReachesTheBuildOnBothReleases() throws Exception {
        for (String path : new String[] {"/compile", "/compile?v=goprev"}) {
            JsonNode r = run(path, JSONV2);
            assertThat(r.get("Errors").asText()).as(path).isEmpty();
            assertThat(CompileIT.stdout(r)).as(path).isEqualTo("{\"a\":1} <nil>\n");
        }
    }

    @Test
    void theExperimentCommentIsWhatTurnsAnExperimentOnOrOff() throws Exception {
        // Go 1.27 turned jsonv2 on by default; on 1.26 only the comment does, and on 1.27 "nojsonv2" turns it off.
        JsonNode without = run("/compile?v=goprev", JSONV2.replace("// GOEXPERIMENT=jsonv2", "// no experiment"));
        assertThat(without.get("Errors").asText()).contains("encoding/json/v2");
        assertThat(without.get("Events").isNull()).isTrue();
        JsonNode off = run("/compile", JSONV2.replace("// GOEXPERIMENT=jsonv2", "// GOEXPERIMENT=nojsonv2"));
        assertThat(off.get("Errors").asText()).contains("encoding/json/v2");
        assertThat(off.get("Events").isNull()).isTrue();
    }

    @Test
    void anExperimentTheImageDidNotPrebuildIsABuildTimeoutThatSaysWhy() throws Exception {
        JsonNode r = run("/compile", SECRET);

        assertThat(r.get("Errors").asText()).contains("timeout running go build",
                "GOEXPERIMENT=runtimesecret is not prebuilt in this sandbox (prebuilt: jsonv2");
        assertThat(r.get("Events").isNull()).isTrue();
    }

    @Test
    void anExperimentOneReleaseLacksIsAnErrorInTheGoCommandsWords() throws Exception {
        JsonNode lacking = run("/compile?v=go1.26", "// GOEXPERIMENT=mapsplitgroup\npackage main\n\nfunc main() {}\n");
        assertThat(lacking.get("Errors").asText()).contains("unknown GOEXPERIMENT mapsplitgroup");
        JsonNode unknown = run("/compile", "// GOEXPERIMENT=bogusexperiment\npackage main\n\nfunc main() {}\n");
        assertThat(unknown.get("Errors").asText()).contains("unknown GOEXPERIMENT bogusexperiment");
    }

    @Test
    void vetRunsUnderTheExperimentToo() throws Exception {
        JsonNode clean = ok("/compile", "application/json", ServerProcess.JSON.writeValueAsString(
                java.util.Map.of("body", JSONV2, "withVet", true)));
        assertThat(clean.get("VetOK").asBoolean()).as(clean.toString()).isTrue();
        assertThat(CompileIT.stdout(clean)).isEqualTo("{\"a\":1} <nil>\n");

        JsonNode finding = ok("/compile", "application/json", ServerProcess.JSON.writeValueAsString(java.util.Map.of(
                "body", JSONV2.replace("fmt.Printf(\"%s %v\\n\", b, err)", "fmt.Printf(\"%d %v\\n\", string(b), err)"),
                "withVet", true)));
        assertThat(finding.get("VetErrors").asText()).contains("prog.go:", "Printf format %d");
        assertThat(finding.get("VetOK").asBoolean()).isFalse();
    }

    @Test
    void fmtFormatsTheProgramWithoutRunningIt() throws Exception {
        JsonNode r = ok("/fmt", "application/x-www-form-urlencoded",
                form("body", "package main\nimport \"fmt\"\nfunc main(){for {fmt.Println( \"hi\" )}}\n"));

        assertThat(r.get("Body").asText()).isEqualTo(
                "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfor {\n\t\tfmt.Println(\"hi\")\n\t}\n}\n");
        assertThat(r.get("Error").asText()).as("a run would have timed out").isEmpty();
        assertThat(r.has("Events")).isFalse();
        assertThat(ok("/fmt?v=goprev", "text/plain", "package main\nvar  x=1\n").get("Body").asText())
                .isEqualTo("package main\n\nvar x = 1\n");
    }

    @Test
    void fmtWithImportsAddsAMissingImportAndDropsAnUnusedOne() throws Exception {
        JsonNode r = ok("/fmt", "application/x-www-form-urlencoded", form("body",
                "package main\n\nimport \"os\"\n\nfunc main() { fmt.Println(strings.ToUpper(\"hi\")) }\n",
                "imports", "true"));

        assertThat(r.get("Error").asText()).isEmpty();
        assertThat(r.get("Body").asText()).isEqualTo("package main\n\nimport (\n\t\"fmt\"\n\t\"strings\"\n)\n\n"
                + "func main() { fmt.Println(strings.ToUpper(\"hi\")) }\n");
    }

    @Test
    void aSyntaxErrorComesBackInErrorWithTheFileLineAndColumn() throws Exception {
        for (String imports : new String[] {"", "true"}) {
            JsonNode r = ok("/fmt", "application/x-www-form-urlencoded",
                    form("body", "package main\n\nfunc main() {\n\tx := \n}\n", "imports", imports));
            assertThat(r.get("Error").asText()).as("imports=" + imports).matches("prog\\.go:5:1: .*");
            assertThat(r.get("Body").asText()).isEmpty();
        }
    }

    @Test
    void aTxtarIsFormattedFileByFileGoModIncludedAndTheAnswerIsCached() throws Exception {
        String program = "package main\nfunc main(){ sub.Hi() }\n-- go.mod --\nmodule   play\ngo 1.27\n"
                + "-- sub/sub.go --\npackage sub\nfunc Hi(){}\n-- notes.txt --\n  left  alone\n";
        String want = "package main\n\nfunc main() { sub.Hi() }\n-- go.mod --\nmodule play\n\ngo 1.27\n"
                + "-- sub/sub.go --\npackage sub\n\nfunc Hi() {}\n-- notes.txt --\n  left  alone\n";
        double builds = server.metric("compilerd_build_duration_seconds_count");

        assertThat(ok("/fmt", "text/plain", program).get("Body").asText()).isEqualTo(want);
        assertThat(ok("/fmt", "application/json", ServerProcess.JSON.writeValueAsString(java.util.Map.of("body", program)))
                .get("Body").asText()).isEqualTo(want);
        assertThat(server.metric("compilerd_build_duration_seconds_count") - builds).as("the second is a cache hit")
                .isEqualTo(1);
    }

    @Test
    void fmtRefusesOversizedAndMalformedBodiesAsCompileDoes() throws Exception {
        String big = "package main\n" + "// x\n".repeat(20_000);
        for (String path : new String[] {"/compile", "/fmt"}) {
            HttpResponse<String> tooLarge = server.post(path, big);
            assertThat(tooLarge.statusCode()).isEqualTo(400);
            assertThat(tooLarge.body()).contains("Program too large.");
            HttpResponse<String> malformed = server.client.send(HttpRequest.newBuilder(server.uri(path))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"body\":"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(malformed.statusCode()).isEqualTo(400);
        }
    }
}
