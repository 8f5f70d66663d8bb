package dev.compilerd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The real server process through lifetime expiry, SIGTERM, SIGKILL and a refused start. */
class LifecycleIT {
    /** Computes for about a second of real CPU, then prints: slow, but with real output. */
    static String slow(int id) {
        return "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tx := 0\n\tfor i := 0; i < 1500000000; i++ {\n"
                + "\t\tx += i % 7\n\t}\n\tfmt.Println(\"done\", " + id + ", x > 0)\n}\n";
    }

    static CompletableFuture<HttpResponse<String>> compileAsync(ServerProcess s, String source) {
        return s.compileAsync(source);
    }

    static void assertRealOutput(HttpResponse<String> r, int id) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode json = ServerProcess.JSON.readTree(r.body());
        assertThat(json.get("Errors").asText()).isEmpty();
        assertThat(CompileIT.stdout(json)).isEqualTo("done " + id + " true\n");
    }

    @Test
    void lifetimeExpiryFailsHealthServesLameduckRequestsFinishesInFlightAndHalts() throws Exception {
        Path marker = Files.createTempDirectory("compilerd-halt").resolve("halted");
        try (ServerProcess s = ServerProcess.start("compilerd-it-lifetime", "--pool", "0",
                "--lifetime-min", "4s", "--lifetime-max", "4s", "--lameduck", "4s", "--drain-timeout", "30s",
                "--halt=true", "--halt-command", "touch " + marker)) {
            assertThat(s.get("/healthz").statusCode()).isEqualTo(200);
            CompletableFuture<HttpResponse<String>> inFlight = compileAsync(s, slow(1));
            await().atMost(Duration.ofSeconds(30)).until(() -> s.get("/healthz").statusCode() == 503);
            assertThat(s.get("/healthz").body()).isEqualTo("lameduck\n");
            assertRealOutput(s.compile(slow(2)), 2);
            assertRealOutput(inFlight.get(), 1);
            assertThat(s.awaitExit(Duration.ofSeconds(60))).isZero();
            assertThat(marker).exists();
            assertThat(s.log()).contains("LAMEDUCK -> DRAINING", "DRAINING -> HALTED", "halting the VM");
            assertThat(Docker.containers(s.prefix)).isEmpty();
        }
    }

    @Test
    void sigtermWithFiveSlowRequestsInFlightAnswersAllExitsZeroAndDoesNotHalt() throws Exception {
        Path marker = Files.createTempDirectory("compilerd-halt").resolve("halted");
        try (ServerProcess s = ServerProcess.start("compilerd-it-sigterm", "--pool", "0", "--lameduck", "1s",
                "--drain-timeout", "60s", "--halt=true", "--halt-command", "touch " + marker)) {
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                all.add(compileAsync(s, slow(10 + i)));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> Docker.containers(s.prefix).size() >= 2);
            long start = System.nanoTime();
            s.sigterm();
            await().until(() -> s.log().contains("SERVING -> LAMEDUCK"));
            s.sigterm(); // a second SIGTERM during the drain changes nothing
            for (int i = 0; i < 5; i++) {
                assertRealOutput(all.get(i).get(), 10 + i);
            }
            assertThat(s.awaitExit(Duration.ofSeconds(90))).isZero();
            System.out.printf("SIGTERM to exit with 5 runs in flight: %d ms%n", (System.nanoTime() - start) / 1_000_000);
            assertThat(marker).doesNotExist();
            assertThat(s.log()).contains("SIGTERM ignored: already");
            assertThat(Docker.containers(s.prefix)).isEmpty();
        }
    }

    @Test
    void sigtermWhenIdleExitsZeroAfterTheLameduck() throws Exception {
        try (ServerProcess s = ServerProcess.start("compilerd-it-idle", "--pool", "2", "--lameduck", "1s")) {
            long start = System.nanoTime();
            s.sigterm();
            assertThat(s.awaitExit(Duration.ofSeconds(30))).isZero();
            System.out.printf("SIGTERM to exit, idle, lameduck 1s: %d ms%n", (System.nanoTime() - start) / 1_000_000);
            assertThat(Docker.containers(s.prefix)).isEmpty();
        }
    }

    @Test
    void sigkillDuringARunLeavesAnOrphanThatTheNextStartRemoves() throws Exception {
        String prefix = "compilerd-it-sigkill";
        try (ServerProcess first = ServerProcess.start(prefix, "--pool", "0", "--run-timeout", "30s", "--drain-timeout", "60s")) {
            compileAsync(first, "package main\n\nfunc main() {\n\tfor {\n\t}\n}\n");
            await().atMost(Duration.ofSeconds(30)).until(() -> !Docker.containers(prefix).isEmpty());
            List<String> orphans = Docker.containers(prefix);
            // Kill only once the program is built and running, so the container outlives the server.
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    Docker.run("docker", "exec", orphans.get(0), "ls", "/tmp/play.bin").contains("/tmp/play.bin"));
            first.sigkill();
            first.awaitExit(Duration.ofSeconds(10));
            assertThat(Docker.containers(prefix)).containsAll(orphans);
            try (ServerProcess second = ServerProcess.start(prefix, "--pool", "0")) {
                for (String orphan : orphans) {
                    assertThat(second.log()).contains("reaping orphaned container " + orphan);
                }
                assertThat(Docker.containers(prefix)).doesNotContainAnyElementsOf(orphans);
            }
        }
    }

    @Test
    void unknownRuntimeRefusesToStartWithAClearMessageAndRunsNothing() throws Exception {
        try (ServerProcess s = ServerProcess.launch("compilerd-it-runtime", "--runtime", "nosuchruntime")) {
            assertThat(s.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
            assertThat(s.log()).contains("refusing to start", "Docker has no runtime 'nosuchruntime' registered",
                    "vm/startup.sh");
            assertThat(s.log()).doesNotContain("serving on");
            assertThat(Docker.containers(s.prefix)).isEmpty();
        }
    }

    @Test
    void missingImageRefusesToStartWithAClearMessage() throws Exception {
        try (ServerProcess s = ServerProcess.launch("compilerd-it-image", "--image", "compilerd/no-such-image:latest")) {
            assertThat(s.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
            assertThat(s.log()).contains("refusing to start", "sandbox image 'compilerd/no-such-image:latest' is missing",
                    "vm/startup.sh");
            assertThat(Docker.containers(s.prefix)).isEmpty();
        }
    }

    @Test
    void anyMissingReleaseImageOrOneThatRunsAnotherReleaseRefusesToStart() throws Exception {
        try (ServerProcess s = ServerProcess.launch("compilerd-it-image", "--go",
                "go1.27=compilerd/playground:go1.27,go1.26=compilerd/no-such-image:go1.26")) {
            assertThat(s.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
            assertThat(s.log()).contains("refusing to start", "sandbox image 'compilerd/no-such-image:go1.26' is missing");
            assertThat(Docker.containers(s.prefix)).isEmpty();
        }
        try (ServerProcess s = ServerProcess.launch("compilerd-it-image", "--go", "go1.26=compilerd/playground:go1.27")) {
            assertThat(s.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
            assertThat(s.log()).contains("refusing to start", "runs go1.27", "not go1.26 as configured");
            assertThat(Docker.containers(s.prefix)).isEmpty();
        }
    }
}
