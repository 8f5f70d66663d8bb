package dev.compilerd.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The sandbox image and its runner on their own, as PID 1 under runsc with the production flags (through the wrapper). */
class PlaygroundImageIT {

    private static JsonNode run(String source, long runTimeoutMs) throws Exception {
        return PlaygroundContainer.run(source, "--run-timeout", runTimeoutMs + "ms");
    }

    private static String decoded(JsonNode result, String field) {
        return result.get(field).isNull() ? ""
                : new String(Base64.getDecoder().decode(result.get(field).asText()), StandardCharsets.ISO_8859_1);
    }

    @AfterAll
    static void noContainerLeft() throws Exception {
        assertThat(Docker.containers(PlaygroundContainer.PREFIX)).isEmpty();
    }

    @Test
    void helloWorldWritesPlaybackFramedStdout() throws Exception {
        JsonNode r = run("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hi\") }\n", 5000);
        assertThat(r.get("phase").asText()).isEqualTo("run");
        assertThat(r.get("exitCode").asInt()).isZero();
        // 00 00 'P' 'B', 8 bytes of fake time, 4 bytes of length 3, then "hi\n".
        assertThat(decoded(r, "stdout")).startsWith("\0\0PB").endsWith("\0\0\0\u0003hi\n");
    }

    @Test
    void compileErrorReturnsTheCompilersMessage() throws Exception {
        JsonNode r = run("package main\n\nfunc main() { undefined() }\n", 5000);
        assertThat(r.get("phase").asText()).isEqualTo("build");
        assertThat(r.get("errors").asText()).contains("./prog.go:3:15: undefined: undefined");
    }

    @Test
    void infiniteLoopIsStoppedBySoftDeadlineAndReportedAsTimeout() throws Exception {
        JsonNode r = run("package main\n\nfunc main() {\n\tfor {\n\t}\n}\n", 1000);
        assertThat(r.get("phase").asText()).isEqualTo("run");
        assertThat(r.get("timedOut").asBoolean()).isTrue();
    }

    @Test
    void megabyteOfOutputIsCappedAndFlagged() throws Exception {
        JsonNode r = run("package main\n\nimport (\n\t\"fmt\"\n\t\"strings\"\n)\n\nfunc main() {\n"
                + "\tfor i := 0; i < 1024; i++ {\n\t\tfmt.Println(strings.Repeat(\"x\", 1023))\n\t}\n}\n", 5000);
        assertThat(r.get("outputTooLarge").asBoolean()).isTrue();
        // The program is stopped at the cap; the runner keeps the write that crossed it, the server trims.
        assertThat(decoded(r, "stdout").length() + decoded(r, "stderr").length()).isLessThan(128 * 1024);
    }

    @Test
    void tcpDialFailsInsideTheSandbox() throws Exception {
        JsonNode r = run(CompileIT.NETWORK_PROBE, 5000);
        assertThat(r.get("exitCode").asInt()).isZero();
        assertThat(decoded(r, "stdout")).contains("interfaces: [lo]\n", "route to 192.0.2.1: none\n",
                "tcp dial: failed\n");
    }
}
