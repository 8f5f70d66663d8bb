package dev.compilerd.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.compilerd.Main;
import dev.compilerd.lifecycle.State;
import dev.compilerd.sandbox.SandboxException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Real Jetty on a free port, the real wiring from Main, and a fake sandbox. */
class CompileHandlerTest extends JettyTestBase {
    @Test
    void rawProgramRunsOnceAndTheSecondIdenticalRequestIsACacheHit() throws Exception {
        start();
        HttpResponse<String> first = post("text/plain", HELLO);
        HttpResponse<String> second = post("text/plain", HELLO);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(first.body()).contains("\"Message\":\"ran [prog.go] vet=false\\n\"", "\"Kind\":\"stdout\"");
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(sandbox.runs).hasValue(1);
    }

    @Test
    void aRepeatIsAnsweredFromItsExactBytesButTheSameBodyUnderAnotherTypeOrVetFlagIsAnotherRequest()
            throws Exception {
        start();
        String json = "{\"Body\":\"package main\"}";
        String viaJson = post("application/json", json).body();
        assertThat(viaJson).contains("ran [prog.go] vet=false");
        assertThat(post("text/plain", json).body()).contains("vet=false"); // the same bytes as Go source: a run
        assertThat(sandbox.runs).hasValue(2);
        assertThat(post("/compile?withVet=true", "text/plain", json).body()).contains("vet=true");
        assertThat(post("application/json", json).body()).isEqualTo(viaJson);

        assertThat(sandbox.runs).hasValue(3);
        assertThat(count("cached")).isEqualTo(1);
    }

    @Test
    void aRepeatWhoseBodyArrivesInPiecesIsStillAHitAndRunsNothing() throws Exception {
        start();
        String first = post("text/plain", HELLO).body();
        byte[] body = HELLO.getBytes(StandardCharsets.UTF_8);
        try (Socket s = new Socket("127.0.0.1", main.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /compile HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, 10);
            out.flush();
            Thread.sleep(200); // the first read sees only part of the body: the rest is read on a worker
            out.write(body, 10, body.length - 10);
            out.flush();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 200").endsWith(first);
        }
        assertThat(sandbox.runs).hasValue(1);
        assertThat(count("cached")).isEqualTo(1);
    }

    @Test
    void jsonAndFormInputsReachTheSandboxWithTheirVetFlag() throws Exception {
        start();
        assertThat(post("application/json", "{\"Body\":\"package main\",\"withVet\":true}").body())
                .contains("vet=true").contains("\"VetOK\":true");
        assertThat(post("application/x-www-form-urlencoded", "version=2&body=package+main%0A&withVet=false").body())
                .contains("vet=false");
        assertThat(sandbox.runs).hasValue(2);
    }

    @Test
    void programOverTheLimitIs400ProgramTooLargeAndRunsNothing() throws Exception {
        start("--max-request", "1KiB");
        HttpResponse<String> r = post("text/plain", "x".repeat(1025));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("\"Errors\":\"Program too large.\"");
        assertThat(post("text/plain", "y".repeat(1024)).statusCode()).isEqualTo(200);
        assertThat(sandbox.runs).hasValue(1);
    }

    @Test
    void chunkedBodyOverTheLimitIs400ProgramTooLarge() throws Exception {
        start("--max-request", "1KiB");
        byte[] big = "z".repeat(5000).getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/compile")).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("Program too large.");
        assertThat(sandbox.runs).hasValue(0);
    }

    @Test
    void tricklingRequestBodyIsCutOffAndRunsNothing() throws Exception {
        start("--body-timeout", "1s");
        try (Socket s = new Socket("127.0.0.1", main.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /compile HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2000\r\n\r\n"
                    + "package main").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 400").contains("request body not received within 1 s");
        }
        assertThat(sandbox.runs).hasValue(0);
    }

    @Test
    void malformedJsonIs400WithAMessage() throws Exception {
        start();
        HttpResponse<String> r = post("application/json", "{\"body\": ");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("malformed JSON");
        assertThat(sandbox.runs).hasValue(0);
    }

    @Test
    void invalidTxtarIsAnsweredWithErrorsAndRunsNothing() throws Exception {
        start();
        HttpResponse<String> r = post("text/plain", "-- ../evil.go --\npackage main\n");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("invalid file name", "\"Events\":null");
        assertThat(sandbox.runs).hasValue(0);
    }

    @Test
    void otherMethodsAre405AndUnknownPathsAre404() throws Exception {
        start();
        HttpResponse<String> get = client.send(HttpRequest.newBuilder(uri("/compile")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).hasValue("POST, OPTIONS");
        assertThat(client.send(HttpRequest.newBuilder(uri("/nope")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
        assertThat(client.send(HttpRequest.newBuilder(uri("/")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body()).contains("curl --data-binary @main.go");
    }

    @Test
    void versionIsThePlaygroundsShapePlusTheModules() throws Exception {
        start("--allow-origin", "https://play.example");
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/version"))
                .header("Origin", "https://play.example").GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://play.example");
        assertThat(r.body()).isEqualTo("{\"Version\":\"go1.27.4\",\"Release\":\"go1.27\",\"Name\":\"Go 1.27\","
                + "\"Image\":\"sha256:fake-go1.27.4\",\"Modules\":"
                + "[{\"Path\":\"golang.org/x/exp\",\"Version\":\"v0.0.0-20250103183323-7d7fa50e5329\"}]}");
    }

    @Test
    void corsPreflightAndResponsesCarryTheConfiguredOrigin() throws Exception {
        start("--allow-origin", "https://play.example");
        HttpResponse<String> pre = client.send(HttpRequest.newBuilder(uri("/compile"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://play.example").header("Access-Control-Request-Method", "POST").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(pre.statusCode()).isEqualTo(204);
        assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://play.example");
        assertThat(pre.headers().firstValue("Access-Control-Allow-Methods").orElseThrow().split(", ?"))
                .containsExactlyInAnyOrder("POST", "OPTIONS");
        assertThat(pre.headers().firstValue("Access-Control-Allow-Headers")).hasValue("Content-Type");
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(uri("/compile"))
                .header("Origin", "https://play.example").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(HELLO)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://play.example");
        assertThat(post.headers().allValues("Vary")).contains("Origin");
        HttpResponse<String> other = client.send(HttpRequest.newBuilder(uri("/compile"))
                .header("Origin", "https://evil.example").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(HELLO)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void anyOriginIsAllowedByDefaultAndOnlyCompileAndVersionAreCrossOrigin() throws Exception {
        start();
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(uri("/compile"))
                .header("Origin", "https://anywhere.example").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(HELLO)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://anywhere.example");
        assertThat(post.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
        HttpResponse<String> metrics = client.send(HttpRequest.newBuilder(uri("/metrics"))
                .header("Origin", "https://anywhere.example").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void healthzIsOkWhileServingAnd503OnceLameduck() throws Exception {
        start();
        HttpRequest health = HttpRequest.newBuilder(uri("/healthz")).GET().build();
        assertThat(client.send(health, HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("ok\n");
        main.lifecycle().advance(State.LAMEDUCK);
        HttpResponse<String> r = client.send(health, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(503);
        HttpResponse<String> compile = post("text/plain", HELLO);
        assertThat(compile.statusCode()).isEqualTo(200);
        assertThat(compile.headers().firstValue("Connection")).hasValue("close");
    }

    @Test
    void healthzFailsWhileContainersCannotStartAndRecoversAfter() throws Exception {
        start();
        HttpRequest health = HttpRequest.newBuilder(uri("/healthz")).GET().build();
        sandbox.startFailure = "docker: Cannot connect to the Docker daemon";
        HttpResponse<String> r = client.send(health, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("sandbox failing: docker: Cannot connect");
        sandbox.startFailure = null;
        assertThat(client.send(health, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    @Test
    void fullQueueAnswers503WithRetryAfter() throws Exception {
        start("--workers", "1", "--queue", "1");
        sandbox.gate = new CountDownLatch(1);
        CompletableFuture<HttpResponse<String>> running = postAsync(HELLO + "//1");
        await().until(() -> sandbox.running.get() == 1);
        CompletableFuture<HttpResponse<String>> queued = postAsync(HELLO + "//2");
        await().until(() -> main.service().admission().waiting() == 1);
        HttpResponse<String> rejected = post("text/plain", HELLO + "//3");
        assertThat(rejected.statusCode()).isEqualTo(503);
        assertThat(rejected.headers().firstValue("Retry-After")).isPresent();
        sandbox.gate.countDown();
        assertThat(running.get().statusCode()).isEqualTo(200);
        assertThat(queued.get().statusCode()).isEqualTo(200);
        assertThat(sandbox.runs).hasValue(2);
    }

    @Test
    void clientThatDisconnectsWhileQueuedCostsNoRun() throws Exception {
        start("--workers", "1", "--queue", "5");
        sandbox.gate = new CountDownLatch(1);
        CompletableFuture<HttpResponse<String>> running = postAsync(HELLO + "//1");
        await().until(() -> sandbox.running.get() == 1);
        byte[] body = (HELLO + "//gone").getBytes(StandardCharsets.UTF_8);
        try (Socket s = new Socket("127.0.0.1", main.port())) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /compile HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            await().until(() -> main.service().admission().waiting() == 1);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> main.service().admission().waiting() == 0);
        sandbox.gate.countDown();
        assertThat(running.get().statusCode()).isEqualTo(200);
        assertThat(sandbox.runs).hasValue(1);
    }

    @Test
    void sandboxFailureIs500PlainTextAndIsNotCached() throws Exception {
        start();
        sandbox.failure = new SandboxException("docker daemon is down");
        HttpResponse<String> r = post("text/plain", HELLO);
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).isEqualTo("sandbox failure; try again later\n").doesNotContain("docker");
        sandbox.failure = null;
        assertThat(post("text/plain", HELLO).statusCode()).isEqualTo(200);
        assertThat(sandbox.runs).hasValue(2);
    }

    @Test
    void metricsCountOutcomesCacheHitsAndLifecycleState() throws Exception {
        start();
        post("text/plain", HELLO);
        post("text/plain", HELLO);
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("compilerd_requests_total{outcome=\"ok\"} 1.0",
                "compilerd_requests_total{outcome=\"cached\"} 1.0", "compilerd_cache_hits_total 1.0",
                "compilerd_cache_entries 1.0", "compilerd_queue_depth 0.0",
                "compilerd_lifecycle_state{state=\"SERVING\"} 1.0", "compilerd_build_duration_seconds_bucket");
    }
}
