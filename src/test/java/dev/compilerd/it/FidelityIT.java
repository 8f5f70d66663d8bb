package dev.compilerd.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Go playground fidelity against the real image: timed events, tests, vet, txtar, exit codes. */
class FidelityIT {
    static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start("compilerd-it-fidelity", "--pool", "1");
    }

    @AfterAll
    static void stop() throws Exception {
        server.stopCleanly();
    }

    static JsonNode run(String source) throws Exception {
        return server.compileOk(source);
    }

    static List<String> events(JsonNode r) {
        List<String> out = new ArrayList<>();
        r.get("Events").forEach(e -> out.add(e.get("Kind").asText() + ":" + e.get("Message").asText()));
        return out;
    }

    @Test
    void sleepsBecomeDelaysBetweenEvents() throws Exception {
        JsonNode r = run("package main\n\nimport (\n\t\"fmt\"\n\t\"time\"\n)\n\nfunc main() {\n"
                + "\tfor i := 1; i <= 3; i++ {\n\t\tif i > 1 {\n\t\t\ttime.Sleep(time.Second)\n\t\t}\n"
                + "\t\tfmt.Println(i)\n\t}\n}\n");
        assertThat(events(r)).containsExactly("stdout:1\n", "stdout:2\n", "stdout:3\n");
        assertThat(r.get("Events").get(0).get("Delay").asLong()).isZero();
        assertThat(r.get("Events").get(1).get("Delay").asLong()).isEqualTo(1_000_000_000L);
        assertThat(r.get("Events").get(2).get("Delay").asLong()).isEqualTo(1_000_000_000L);
    }

    @Test
    void sleepingAnHourCostsTheServerNoTime() throws Exception {
        // The run deadline is 5 s: only fake time lets this program finish and be answered at all.
        JsonNode r = run("package main\n\nimport (\n\t\"fmt\"\n\t\"time\"\n)\n\nfunc main() {\n"
                + "\tfmt.Println(\"before\")\n\ttime.Sleep(time.Hour)\n\tfmt.Println(\"after\")\n}\n");
        assertThat(r.get("Errors").asText()).isEmpty();
        assertThat(events(r)).containsExactly("stdout:before\n", "stdout:after\n");
        assertThat(r.get("Events").get(1).get("Delay").asLong()).isEqualTo(3_600_000_000_000L);
    }

    @Test
    void stdoutAndStderrInterleaveInWriteOrder() throws Exception {
        JsonNode r = run("package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc main() {\n"
                + "\tfmt.Println(\"a\")\n\tfmt.Fprintln(os.Stderr, \"b\")\n\tfmt.Println(\"c\")\n"
                + "\tfmt.Fprintln(os.Stderr, \"d\")\n}\n");
        assertThat(events(r)).containsExactly("stdout:a\n", "stderr:b\n", "stdout:c\n", "stderr:d\n");
    }

    @Test
    void formFeedPassesThroughForClearScreenAnimations() throws Exception {
        JsonNode r = run("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Print(\"x\\f\"); fmt.Print(\"y\") }\n");
        assertThat(String.join("", events(r))).isEqualTo("stdout:x\fy");
    }

    @Test
    void passingTestsRunAsGoTest() throws Exception {
        JsonNode r = run("package main\n\nimport \"testing\"\n\nfunc TestOne(t *testing.T) {}\n\n"
                + "func TestTwo(t *testing.T) {}\n");
        assertThat(r.get("IsTest").asBoolean()).isTrue();
        assertThat(r.get("TestsFailed").asInt()).isZero();
        assertThat(CompileIT.stdout(r)).contains("--- PASS: TestOne", "--- PASS: TestTwo", "PASS");
    }

    @Test
    void failingTestsAreCounted() throws Exception {
        JsonNode r = run("package main\n\nimport \"testing\"\n\nfunc TestOk(t *testing.T) {}\n\n"
                + "func TestBad(t *testing.T) { t.Error(\"nope\") }\n\nfunc TestWorse(t *testing.T) {\n"
                + "\tt.Run(\"sub\", func(t *testing.T) { t.Fatal(\"no\") })\n}\n");
        assertThat(r.get("IsTest").asBoolean()).isTrue();
        assertThat(r.get("TestsFailed").asInt()).isEqualTo(2);
        assertThat(r.get("Status").asInt()).isEqualTo(1);
    }

    @Test
    void vetFindingIsReportedAndTheProgramStillRuns() throws Exception {
        HttpResponse<String> resp = server.client.send(HttpRequest.newBuilder(server.uri("/compile"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"body\":\"package main\\n\\nimport \\\"fmt\\\"\\n\\n"
                        + "func main() { fmt.Printf(\\\"%d\\\\n\\\", \\\"str\\\") }\\n\",\"withVet\":true}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        JsonNode r = ServerProcess.JSON.readTree(resp.body());
        assertThat(r.get("VetOK").asBoolean()).isFalse();
        assertThat(r.get("VetErrors").asText()).startsWith("prog.go:5:").contains("%d").doesNotContain("/tmp/");
        assertThat(r.get("Errors").asText()).isEmpty();
        assertThat(CompileIT.stdout(r)).contains("%!d(string=str)");
    }

    @Test
    void txtarWithTwoFilesAndASubPackage() throws Exception {
        JsonNode r = run("""
                -- go.mod --
                module play
                -- prog.go --
                package main

                import (
                	"fmt"
                	"play/sub"
                )

                func main() { fmt.Println(greet(), sub.Name()) }
                -- greet.go --
                package main

                func greet() string { return "hello" }
                -- sub/sub.go --
                package sub

                func Name() string { return "from sub" }
                """);
        assertThat(r.get("Errors").asText()).isEmpty();
        assertThat(CompileIT.stdout(r)).isEqualTo("hello from sub\n");
    }

    @Test
    void anImportNotInTheImageSaysWhatIsAvailable() throws Exception {
        JsonNode r = run("package main\n\nimport \"github.com/google/uuid\"\n\nfunc main() { println(uuid.NewString()) }\n");
        assertThat(r.get("Errors").asText()).contains("github.com/google/uuid")
                .contains("The sandbox has no network: only the Go standard library and these modules are available:");
        assertThat(r.get("Events").isNull()).isTrue();
    }

    @Test
    void invalidUtf8IsReplacedNotDropped() throws Exception {
        JsonNode r = run("package main\n\nimport \"os\"\n\nfunc main() { os.Stdout.Write([]byte{0xff, 'a', '\\n'}) }\n");
        assertThat(CompileIT.stdout(r)).isEqualTo("\uFFFDa\n");
    }

    @Test
    void exitCodeIsTheStatus() throws Exception {
        JsonNode r = run("package main\n\nimport \"os\"\n\nfunc main() { os.Exit(3) }\n");
        assertThat(r.get("Status").asInt()).isEqualTo(3);
        assertThat(r.get("Errors").asText()).isEmpty();
    }

    @Test
    void programKilledByASignalSaysSo() throws Exception {
        JsonNode r = run("package main\n\nimport (\n\t\"os\"\n\t\"syscall\"\n)\n\n"
                + "func main() { syscall.Kill(os.Getpid(), syscall.SIGKILL) }\n");
        assertThat(r.get("Status").asInt()).isEqualTo(137);
        assertThat(events(r)).contains("stderr:signal: killed\n");
    }
}
