package dev.compilerd.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.compilerd.Main;
import dev.compilerd.config.ConfigParser;
import dev.compilerd.metrics.Metrics;
import dev.compilerd.sandbox.RunResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One server among many, on real Jetty with a fake sandbox: one run per program, fast 503s, nothing lost at shutdown. */
class FleetBehaviourTest {
    private static final String HELLO = "package main\n\nfunc main() { println(\"hi\") }\n";
    private final HttpClient client = HttpClient.newHttpClient();
    private final FakeSandbox sandbox = new FakeSandbox();
    private Main main;

    private void start(String... flags) throws Exception {
        List<String> args = new ArrayList<>(List.of("--port", "0", "--bind", "127.0.0.1", "--lifetime-max", "0"));
        args.addAll(List.of(flags));
        main = new Main(new ConfigParser(Map.of()).parse(args.toArray(String[]::new)), sandbox, Clock.systemUTC(),
                metrics);
        main.start();
    }

    private final Metrics metrics = new Metrics();

    @AfterEach
    void stop() throws Exception {
        sandbox.gate.countDown();
        if (main != null) {
            main.http().drainAndStop();
        }
    }

    private CompletableFuture<HttpResponse<String>> post(String body) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + main.port() + "/compile"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private double count(String outcome) {
        return metrics.registry().counter("compilerd_requests", "outcome", outcome).count();
    }

    @Test
    void identicalProgramsInFlightTogetherRunOnceAndAllGetTheAnswer() throws Exception {
        start("--workers", "2");
        sandbox.gate = new CountDownLatch(1);
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            all.add(post(HELLO));
        }
        await().until(() -> sandbox.running.get() == 1 && main.service().coalescing() == 7);
        sandbox.gate.countDown();

        for (CompletableFuture<HttpResponse<String>> f : all) {
            assertThat(f.get().statusCode()).isEqualTo(200);
            assertThat(f.get().body()).isEqualTo(all.get(0).get().body()).contains("ran [prog.go]");
        }
        assertThat(sandbox.runs).hasValue(1);
        assertThat(count("ok")).isEqualTo(1);
        assertThat(count("coalesced")).isEqualTo(7);
    }

    @Test
    void aTimeoutIsNotHandedToIdenticalWaitersTheyRunOnTheirOwn() throws Exception {
        start("--workers", "4");
        sandbox.ending = RunResult.Ending.DEADLINE;
        sandbox.gate = new CountDownLatch(1);
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            all.add(post(HELLO));
        }
        await().until(() -> sandbox.running.get() == 1 && main.service().coalescing() == 2);
        sandbox.gate.countDown();

        for (CompletableFuture<HttpResponse<String>> f : all) {
            assertThat(f.get().body()).contains("process took too long");
        }
        assertThat(sandbox.runs).hasValue(3);
        assertThat(count("timeout")).isEqualTo(3);
        assertThat(count("coalesced")).isZero();
    }

    @Test
    void requestsThatCouldNotStartInTimeGet503AtOnceWhileTheRestWait() throws Exception {
        // One worker and a 2 s longest wait: with runs assumed to take 1 s, places 1 and 2 may wait, 3 on cannot.
        start("--workers", "1", "--max-queue-wait", "2s");
        sandbox.gate = new CountDownLatch(1);
        List<CompletableFuture<HttpResponse<String>>> accepted = new ArrayList<>();
        accepted.add(post(HELLO + "//0"));
        await().until(() -> sandbox.running.get() == 1);
        accepted.add(post(HELLO + "//1"));
        accepted.add(post(HELLO + "//2"));
        await().until(() -> main.service().admission().waiting() == 2);

        long t0 = System.nanoTime();
        HttpResponse<String> turnedAway = post(HELLO + "//3").get();

        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("a 503 at once, not after the wait")
                .isLessThan(Duration.ofSeconds(1));
        assertThat(turnedAway.statusCode()).isEqualTo(503);
        assertThat(turnedAway.headers().firstValue("Retry-After")).isPresent();
        sandbox.gate.countDown();
        for (CompletableFuture<HttpResponse<String>> f : accepted) {
            assertThat(f.get().statusCode()).isEqualTo(200);
        }
        assertThat(count("busy")).isEqualTo(1);
    }

    @Test
    void drainingTurnsAwayQueuedRequestsThatCouldNotFinishWithA503AndFinishesTheRest() throws Exception {
        // Drain 20.5 s, runs up to 17 s: nothing may start more than 3.5 s into the drain; runs are assumed to take
        // 1 s, so places 1 to 3 in line can still run and places 4 to 6 cannot.
        start("--workers", "1", "--max-queue-wait", "20s", "--drain-timeout", "20500ms");
        sandbox.gate = new CountDownLatch(1);
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        all.add(post(HELLO + "//0"));
        await().until(() -> sandbox.running.get() == 1);
        for (int i = 1; i <= 6; i++) {
            all.add(post(HELLO + "//" + i));
        }
        await().until(() -> main.service().admission().waiting() == 6);

        CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> {
            try {
                main.drain();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().until(() -> all.stream().filter(CompletableFuture::isDone).count() >= 3); // places 4 to 6, at once
        sandbox.gate.countDown();
        drained.get();

        List<Integer> statuses = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> f : all) {
            HttpResponse<String> r = f.get();
            statuses.add(r.statusCode());
            if (r.statusCode() == 503) {
                assertThat(r.headers().firstValue("Retry-After")).isPresent();
            }
        }
        assertThat(statuses).containsExactlyInAnyOrder(200, 200, 200, 200, 503, 503, 503);
        assertThat(count("shutting-down")).isEqualTo(3);
        main = null; // already stopped
    }
}
