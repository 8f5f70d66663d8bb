package dev.compilerd.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.compilerd.sandbox.Bench;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Benchmarks on the real clock and every run's cost, through real Jetty and Main's wiring, with a fake sandbox. */
class BenchHandlerTest extends JettyTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String BENCH = "package main\n\nimport \"testing\"\n\nfunc BenchmarkX(b *testing.B) {}\n";

    static JsonNode json(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    @Test
    void benchmarksRunOnTheRealClockEveryTimeAndNoAnswerIsKeptOrTakenFromACache() throws Exception {
        start();
        JsonNode first = json(post("/compile?bench=1", "text/plain", BENCH));
        JsonNode second = json(post("/compile?bench=1", "text/plain", BENCH));
        assertThat(sandbox.runs).hasValue(2);
        assertThat(first.get("Clock").asText()).isEqualTo("real");
        assertThat(first.get("Benchtime").asText()).isEqualTo("1s");
        assertThat(first.get("Events").get(0).get("Message").asText()).isEqualTo("bench  run=\n");
        assertThat(first.get("Stats").get("RunCpuMs").asLong()).isEqualTo(1);
        assertThat(second.get("Stats").get("RunCpuMs").asLong()).isEqualTo(2);

        // The same program without bench runs on its own (no bench answer was kept), then is a cache hit ...
        JsonNode plain = json(post("text/plain", BENCH));
        assertThat(plain.has("Clock")).isFalse();
        assertThat(post("text/plain", BENCH).body()).isEqualTo(JSON.writeValueAsString(plain));
        assertThat(sandbox.runs).hasValue(3);
        // ... which a bench request of it never takes, in any form.
        assertThat(json(post("/compile?bench=1", "text/plain", BENCH)).get("Clock").asText()).isEqualTo("real");
        assertThat(json(post("application/json", JSON.writeValueAsString(new Req(BENCH, true)))).get("Clock").asText())
                .isEqualTo("real");
        assertThat(sandbox.runs).hasValue(5);
        assertThat(count("cached")).isEqualTo(1);
        assertThat(metrics.scrape()).contains("compilerd_bench_runs_total 4.0");
    }

    /** A JSON request with bench. */
    record Req(String body, boolean bench) {}

    @Test
    void identicalBenchmarksInFlightAtOnceEachRunAndNeitherWaitsForTheOther() throws Exception {
        start("--workers", "2");
        sandbox.gate = new CountDownLatch(1);
        List<CompletableFuture<HttpResponse<String>>> both = List.of(postAsync("/compile?bench=1", BENCH),
                postAsync("/compile?bench=1", BENCH));
        await().atMost(Duration.ofSeconds(10)).until(() -> sandbox.running.get() == 2);
        sandbox.gate.countDown();
        for (CompletableFuture<HttpResponse<String>> r : both) {
            assertThat(json(r.get()).get("Clock").asText()).isEqualTo("real");
        }
        assertThat(count("coalesced")).isZero();
        assertThat(sandbox.runs).hasValue(2);
    }

    CompletableFuture<HttpResponse<String>> postAsync(String path, String body) {
        return client.sendAsync(HttpRequest.newBuilder(uri(path)).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyFormAsksForBenchmarksAndTheirPatternsReachTheRunner() throws Exception {
        start();
        json(post("application/json", "{\"Body\":" + JSON.writeValueAsString(BENCH)
                + ",\"BENCH\":true,\"benchPattern\":\"Sort\",\"benchrun\":\"TestX\"}"));
        assertThat(sandbox.last.bench()).isEqualTo(new Bench("Sort", "TestX"));
        json(post("application/x-www-form-urlencoded", "version=2&body=" + URLEncoder.encode(BENCH, StandardCharsets.UTF_8)
                + "&bench=1&benchPattern=Map%2Fsmall"));
        assertThat(sandbox.last.bench()).isEqualTo(new Bench("Map/small", ""));
        json(post("/compile?bench=true&benchPattern=Q&benchRun=R", "text/plain", BENCH));
        assertThat(sandbox.last.bench()).isEqualTo(new Bench("Q", "R"));
        // The query may turn bench on for a form; a pattern in the body wins over the query's.
        json(post("/compile?bench=1&benchPattern=Q", "application/x-www-form-urlencoded", "body=x&benchPattern=B"));
        assertThat(sandbox.last.bench()).isEqualTo(new Bench("B", ""));
        json(post("/compile?bench=0", "text/plain", BENCH));
        assertThat(sandbox.last.bench()).isNull();
        assertThat(sandbox.runs).hasValue(5);
    }

    @Test
    void malformedBenchFieldsAre400AndRunNothing() throws Exception {
        start();
        for (String[] r : new String[][] {
                {"/compile?bench=yes", "text/plain", BENCH, "bench must be 1 or true"},
                {"/compile?benchPattern=X", "text/plain", BENCH, "benchPattern and benchRun need bench=1"},
                {"/compile", "application/json", "{\"body\":\"x\",\"benchRun\":\"T\"}", "need bench=1"},
                {"/compile", "application/json", "{\"body\":\"x\",\"bench\":\"yes\"}", "\\\"bench\\\" must be true or false"},
                {"/compile", "application/json", "{\"body\":\"x\",\"bench\":true,\"benchPattern\":1}", "must be a string"},
                {"/compile?bench=1&benchPattern=" + "x".repeat(257), "text/plain", BENCH, "benchPattern is over 256 bytes"},
                {"/compile?bench=1&benchRun=a%0Ab", "text/plain", BENCH, "benchRun has a control character"}}) {
            HttpResponse<String> answer = post(r[0], r[1], r[2]);
            assertThat(answer.statusCode()).as(r[0] + " " + r[2]).isEqualTo(400);
            assertThat(answer.body()).contains(r[3]);
        }
        assertThat(sandbox.runs).hasValue(0);
    }

    @Test
    void everyAnswerFromARunCarriesItsCostAndACachedAnswerRepeatsThatOfItsRun() throws Exception {
        start();
        HttpResponse<String> first = post("text/plain", HELLO);
        JsonNode stats = json(first).get("Stats");
        assertThat(stats.toString()).isEqualTo("{\"BuildMs\":100,\"RunMs\":11,\"RunCpuMs\":1,\"MaxRssBytes\":1048576}");
        assertThat(json(first).has("Clock")).isFalse();
        assertThat(json(first).has("Benchtime")).isFalse();
        assertThat(post("text/plain", HELLO).body()).isEqualTo(first.body()); // the memo
        assertThat(post("text/plain", HELLO + "\n").body()).contains("\"RunCpuMs\":2");
        assertThat(post("application/json", "{\"body\":" + JSON.writeValueAsString(HELLO) + "}").body())
                .isEqualTo(first.body()); // the cache: another request, the same program
        assertThat(sandbox.runs).hasValue(2);
        String scrape = metrics.scrape();
        assertThat(scrape).contains("compilerd_run_cpu_seconds_count 2\n", "compilerd_run_max_rss_bytes_count 2\n",
                "compilerd_run_max_rss_bytes_bucket{le=\"4194304.0\"} 2\n", "compilerd_run_cpu_seconds_bucket{le=");
    }

    /**
     * The fields golang.org/x/tools' playground.js reads from an answer (Errors, Events[].Message/Kind/Delay,
     * Status, IsTest, TestsFailed, VetErrors, VetOK) keep their types beside the new ones, for benchmarks too.
     */
    @Test
    void theFieldsPlaygroundJsReadsKeepTheirTypesBesideTheNewOnes() throws Exception {
        start();
        for (JsonNode a : List.of(json(post("text/plain", HELLO)), json(post("/compile?bench=1", "text/plain", BENCH)))) {
            assertThat(a.get("Errors").isTextual()).isTrue();
            assertThat(a.get("Events").isArray()).isTrue();
            for (Iterator<JsonNode> it = a.get("Events").elements(); it.hasNext(); ) {
                JsonNode e = it.next();
                assertThat(e.get("Message").isTextual() && e.get("Kind").isTextual() && e.get("Delay").isIntegralNumber())
                        .as(e.toString()).isTrue();
            }
            assertThat(a.get("Status").isInt() && a.get("TestsFailed").isInt()).isTrue();
            assertThat(a.get("IsTest").isBoolean() && a.get("VetOK").isBoolean() && a.get("VetErrors").isTextual()).isTrue();
            assertThat(a.get("Stats").isObject()).isTrue();
        }
    }
}
