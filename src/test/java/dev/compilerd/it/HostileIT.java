package dev.compilerd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Programs written to misbehave, against the real server, Docker, runsc and image: whatever a program does from
 * inside its sandbox ends in a 200 answer that says what happened, the server stays healthy, the next program
 * runs, and no container is left. Without a warm pool, so "no container left" is exact.
 */
class HostileIT {
    static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start("compilerd-it-hostile", "--pool", "0");
    }

    @AfterAll
    static void stop() throws Exception {
        server.stopCleanly();
    }

    @AfterEach
    void serverIsStillWellAndNothingIsLeft() throws Exception {
        assertThat(server.get("/healthz").statusCode()).isEqualTo(200);
        JsonNode hello = server.compileOk("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"still here\", "
                + System.nanoTime() + " > 0) }\n");
        assertThat(CompileIT.stdout(hello)).isEqualTo("still here true\n");
        await().atMost(Duration.ofSeconds(30)).until(() -> Docker.containers(server.prefix).isEmpty());
        assertThat(server.log()).doesNotContain("ERROR");
    }

    /** Runs src/test/resources/hostile/NAME.go, a program written to misbehave. */
    static JsonNode run(String name) throws Exception {
        try (java.io.InputStream in = HostileIT.class.getResourceAsStream("/hostile/" + name + ".go")) {
            return server.compileOk(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    static String stderr(JsonNode r) {
        StringBuilder b = new StringBuilder();
        r.get("Events").forEach(e -> {
            if (e.get("Kind").asText().equals("stderr")) {
                b.append(e.get("Message").asText());
            }
        });
        return b.toString();
    }

    @Test
    void forkBombMeetsItsProcessLimitAndIsToldSo() throws Exception {
        JsonNode r = run("forkbomb");
        assertThat(r.get("Errors").asText()).isEqualTo("process took too long");
        assertThat(CompileIT.stdout(r)).isEqualTo("bombing\n");
        assertThat(stderr(r)).contains("too many processes: the program reached its limit of 512 processes and threads");
    }

    @Test
    void fiftyChildProcessesRun() throws Exception {
        JsonNode r = run("children");
        assertThat(r.get("Errors").asText()).isEmpty();
        assertThat(CompileIT.stdout(r)).isEqualTo("running 50\nexited cleanly 50\n");
    }

    @Test
    void fifteenExternalSleepProcessesRun() throws Exception {
        JsonNode r = run("sleeps");
        assertThat(r.get("Errors").asText()).isEmpty();
        assertThat(CompileIT.stdout(r)).isEqualTo("sleeps done 15\n");
    }

    @Test
    void sixtyFourOsThreadsRun() throws Exception {
        JsonNode r = run("threads");
        assertThat(r.get("Errors").asText()).isEmpty();
        assertThat(CompileIT.stdout(r)).isEqualTo("at least 64 threads: true\n");
    }

    @Test
    void memoryBombRunsOutOfMemoryInsideItsOwnRuntime() throws Exception {
        JsonNode r = run("membomb");
        assertThat(r.get("Status").asInt()).isEqualTo(2);
        assertThat(stderr(r)).contains("runtime: out of memory", "fatal error: out of memory");
        assertThat(CompileIT.stdout(r)).startsWith("MiB 128\n");
    }

    @Test
    void goroutineBombRunsOutOfTimeOrMemory() throws Exception {
        JsonNode r = run("goroutines");
        boolean timedOut = r.get("Errors").asText().equals("process took too long");
        boolean outOfMemory = stderr(r).contains("out of memory");
        assertThat(timedOut || outOfMemory).as(r.toString()).isTrue();
    }

    @Test
    void outputFloodIsCutAtTheCap() throws Exception {
        JsonNode r = run("flood");
        assertThat(r.get("Errors").asText()).isEqualTo("Program output too large.");
        assertThat(CompileIT.allOutput(r).length()).isLessThanOrEqualTo(64 * 1024).isGreaterThan(60 * 1024);
    }

    @Test
    void killingEveryProcessItMayKillsNothingOfTheSandbox() throws Exception {
        // kill(-1) reaches every process the caller may signal but itself: here, none (the runner is another uid).
        JsonNode r = run("killall");
        assertThat(r.get("Errors").asText()).isEmpty();
        assertThat(r.get("Status").asInt()).isZero();
        assertThat(CompileIT.stdout(r)).isEqualTo("before\nafter\n");
    }

    @Test
    void signallingTheRunnerIsNotPermitted() throws Exception {
        JsonNode r = run("signals");
        assertThat(r.get("Errors").asText()).isEmpty();
        assertThat(CompileIT.stdout(r)).isEqualTo("killed operation not permitted\nstopped (signal) operation not permitted\n"
                + "aborted operation not permitted\nterminated operation not permitted\n");
    }

    @Test
    void closingStdoutEndsNothingButItsOwnOutput() throws Exception {
        JsonNode r = run("closestdout");
        assertThat(r.get("Errors").asText()).isEmpty();
        assertThat(r.get("Status").asInt()).isZero();
        assertThat(CompileIT.stdout(r)).isEqualTo("one\n");
        assertThat(stderr(r)).isEqualTo("stdout closed\n");
    }

    @Test
    void forgingTheResultThroughTheRunnersStdoutOrStderrIsDeniedAndNeverCached() throws Exception {
        JsonNode first = run("forger");
        assertThat(first.get("Errors").asText()).isEmpty();
        assertThat(CompileIT.stdout(first)).isEqualTo("/proc/1/fd/1 denied\n/proc/1/fd/2 denied\n");
        JsonNode again = run("forger"); // a cache hit now: the true answer, not a forgery
        assertThat(again).isEqualTo(first);
        assertThat(server.log()).doesNotContain("forged compile error");
    }

    @Test
    void theRunnersEnvironmentIsEmpty() throws Exception {
        JsonNode r = run("environ");
        assertThat(CompileIT.stdout(r)).matches("runner environment: 0 bytes, (<nil>|open /proc/1/environ: permission denied)\n");
    }

    @Test
    void theProgramRunsAsItsOwnUnprivilegedUser() throws Exception {
        JsonNode r = run("identity");
        assertThat(CompileIT.stdout(r)).isEqualTo("CapPrm: 0000000000000000\nCapEff: 0000000000000000\n"
                + "uid 65534 65534 gid 65534\nreplace the build: true\n");
    }
}
