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

    @Test
    void lameduckClosesIdleConnectionsButNeverOneWithARequestInFlight() throws Exception {
        start();
        sandbox.gate = new CountDownLatch(1);
        try (java.net.Socket idle = new java.net.Socket("127.0.0.1", main.port());
             java.net.Socket busy = new java.net.Socket("127.0.0.1", main.port())) {
            rawPost(idle, HELLO + "//idle");
            sandbox.gate.countDown();
            assertThat(readResponse(idle)).startsWith("HTTP/1.1 200");
            sandbox.gate = new CountDownLatch(1);
            rawPost(busy, HELLO + "//busy");
            await().until(() -> sandbox.running.get() == 1);
            // Both quiet for longer than lameduck's threshold for closing a connection.
            await().pollDelay(HttpServer.QUIET_BEFORE_CLOSE.plusMillis(100)).until(() -> true);

            assertThat(main.http().closeIdleConnections()).isEqualTo(1);

            assertThat(idle.getInputStream().read()).as("idle connection closed").isEqualTo(-1);
            sandbox.gate.countDown();
            assertThat(readResponse(busy)).startsWith("HTTP/1.1 200");
        }
    }

    private static void rawPost(java.net.Socket s, String body) throws Exception {
        byte[] b = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        s.getOutputStream().write(("POST /compile HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: "
                + b.length + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        s.getOutputStream().write(b);
        s.getOutputStream().flush();
    }

    /** Reads one response's status line and headers, and its body by Content-Length. */
    private static String readResponse(java.net.Socket s) throws Exception {
        s.setSoTimeout(10_000);
        java.io.InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            head.append((char) c);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
        if (m.find()) {
            in.readNBytes(Integer.parseInt(m.group(1)));
        }
        return head.toString();
    }
}
