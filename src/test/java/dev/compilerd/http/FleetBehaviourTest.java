package dev.compilerd.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.compilerd.sandbox.RunResult;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** One server among many, on real Jetty with a fake sandbox: one run per program, fast 503s, nothing lost at shutdown. */
class FleetBehaviourTest extends JettyTestBase {
    @Test
    void identicalProgramsInFlightTogetherRunOnceAndAllGetTheAnswer() throws Exception {
        start("--workers", "2");
        sandbox.gate = new CountDownLatch(1);
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            all.add(postAsync(HELLO));
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
            all.add(postAsync(HELLO));
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
        accepted.add(postAsync(HELLO + "//0"));
        await().until(() -> sandbox.running.get() == 1);
        accepted.add(postAsync(HELLO + "//1"));
        accepted.add(postAsync(HELLO + "//2"));
        await().until(() -> main.service().admission().waiting() == 2);

        long t0 = System.nanoTime();
        HttpResponse<String> turnedAway = postAsync(HELLO + "//3").get();

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
        all.add(postAsync(HELLO + "//0"));
        await().until(() -> sandbox.running.get() == 1);
        for (int i = 1; i <= 6; i++) {
            all.add(postAsync(HELLO + "//" + i));
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
