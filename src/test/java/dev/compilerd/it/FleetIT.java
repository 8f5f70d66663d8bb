package dev.compilerd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.compilerd.config.SandboxLimits;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The real server as one of a fleet: under overload it answers 503 early, and at SIGTERM it drops nothing. */
class FleetIT {
    /** Computes for about a second, then prints: a run that keeps the one worker busy. */
    static String busy(String tag) {
        return "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tx := 0\n\tfor i := 0; i < 1200000000; i++ {\n"
                + "\t\tx += i % 7\n\t}\n\tfmt.Println(\"" + tag + "\", x > 0)\n}\n";
    }

    /** {@code n} tags that no earlier run of the test has used, so no program is answered from a cache. */
    static List<String> freshTags(String name, int n) {
        List<String> tags = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tags.add(name + "-" + i + "-" + System.nanoTime());
        }
        return tags;
    }

    /** What one request got, and when, in ns from the start of the test. */
    record Answer(int status, String body, boolean retryAfter, long doneNanos) {}

    static List<Answer> sendAll(ServerProcess s, List<String> programs, long t0) throws Exception {
        List<CompletableFuture<Answer>> all = new ArrayList<>();
        for (String p : programs) {
            all.add(s.compileAsync(p).thenApply(r -> new Answer(r.statusCode(), r.body(),
                    r.headers().firstValue("Retry-After").isPresent(), System.nanoTime() - t0)));
        }
        List<Answer> out = new ArrayList<>();
        for (CompletableFuture<Answer> f : all) {
            out.add(f.get()); // a closed connection would throw here
        }
        return out;
    }

    static void assertEachIsItsOutputOrA503WithRetryAfter(List<Answer> answers, List<String> tags) throws Exception {
        for (int i = 0; i < answers.size(); i++) {
            Answer a = answers.get(i);
            assertThat(a.status()).as(a.body()).isIn(200, 503);
            if (a.status() == 200) {
                assertThat(CompileIT.stdout(ServerProcess.JSON.readTree(a.body()))).isEqualTo(tags.get(i) + " true\n");
            } else {
                assertThat(a.retryAfter()).as("Retry-After on a 503").isTrue();
            }
        }
    }

    @Test
    void overloadGetsEarly503sWithRetryAfterAndTheAcceptedWaitStaysBounded() throws Exception {
        try (ServerProcess s = ServerProcess.start("compilerd-it-overload", "--pool", "0", "--workers", "1",
                "--max-queue-wait", "3s")) {
            List<String> tags = freshTags("overload", 12);
            List<String> programs = tags.stream().map(FleetIT::busy).toList();
            long t0 = System.nanoTime();
            List<Answer> answers = sendAll(s, programs, t0);

            assertEachIsItsOutputOrA503WithRetryAfter(answers, tags);
            List<Answer> ok = answers.stream().filter(a -> a.status() == 200).toList();
            List<Answer> turnedAway = answers.stream().filter(a -> a.status() == 503).toList();
            assertThat(ok).as("accepted").isNotEmpty();
            assertThat(turnedAway).as("turned away").hasSizeGreaterThanOrEqualTo(6);
            long firstDone = ok.stream().mapToLong(Answer::doneNanos).min().orElseThrow();
            assertThat(turnedAway.stream().filter(a -> a.doneNanos() < firstDone))
                    .as("503s answered at once, before the first run ended").hasSizeGreaterThanOrEqualTo(6);
            // Every answer is complete within the longest queue wait (3 s), which ends with a worker or a 503,
            // plus one hard deadline (the default limits: build + run + margin) for the run that worker does.
            long bound = Duration.ofSeconds(3).plus(SandboxLimits.defaults().hardDeadline()).toNanos();
            assertThat(answers).allSatisfy(a -> assertThat(a.doneNanos()).isLessThan(bound));
            assertThat(s.log()).doesNotContain("status=500");
            s.stopCleanly();
        }
    }

    @Test
    void sigtermWithTheQueueFullAnswersEveryRequestOrTurnsItAwayWithRetryAfterAndExitsZero() throws Exception {
        try (ServerProcess s = ServerProcess.start("compilerd-it-drain", "--pool", "0", "--workers", "1",
                "--max-queue-wait", "30s", "--drain-timeout", "25s", "--lameduck", "1s")) {
            List<String> tags = freshTags("drain", 20);
            List<String> programs = tags.stream().map(FleetIT::busy).toList();
            long t0 = System.nanoTime();
            CompletableFuture<List<Answer>> answers = CompletableFuture.supplyAsync(() -> {
                try {
                    return sendAll(s, programs, t0);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> s.log().contains("cache=miss outcome=ok"));
            s.sigterm();

            assertEachIsItsOutputOrA503WithRetryAfter(answers.get(), tags);
            assertThat(answers.get().stream().filter(a -> a.status() == 200)).as("answered").hasSizeGreaterThan(2);
            assertThat(answers.get().stream().filter(a -> a.status() == 503)).as("turned away").isNotEmpty();
            assertThat(s.awaitExit(Duration.ofSeconds(90))).isZero();
            assertThat(Docker.containers(s.prefix)).isEmpty();
            assertThat(s.log()).contains("outcome=shutting-down").doesNotContain("status=500");
        }
    }

    @Test
    void identicalProgramsSentTogetherRunOnceAndATimeoutIsNotShared() throws Exception {
        try (ServerProcess s = ServerProcess.start("compilerd-it-coalesce", "--pool", "0", "--run-timeout", "2s")) {
            String tag = "together-" + System.nanoTime();
            List<CompletableFuture<HttpResponse<String>>> same = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                same.add(s.compileAsync(busy(tag)));
            }
            for (CompletableFuture<HttpResponse<String>> f : same) {
                assertThat(f.get().statusCode()).isEqualTo(200);
                assertThat(CompileIT.stdout(ServerProcess.JSON.readTree(f.get().body()))).isEqualTo(tag + " true\n");
            }
            assertThat(s.metric("compilerd_run_duration_seconds_count")).as("programs run").isEqualTo(1);
            assertThat(s.log()).contains("cache=coalesced outcome=coalesced");

            String loop = "package main\n\nfunc main() {\n\tfor {\n\t}\n}\n// " + System.nanoTime() + "\n";
            List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                slow.add(s.compileAsync(loop));
            }
            for (CompletableFuture<HttpResponse<String>> f : slow) {
                assertThat(ServerProcess.JSON.readTree(f.get().body()).get("Errors").asText())
                        .isEqualTo("process took too long");
            }
            assertThat(s.metric("compilerd_run_duration_seconds_count")).as("each timeout ran on its own").isEqualTo(4);
            s.stopCleanly();
        }
    }
}
