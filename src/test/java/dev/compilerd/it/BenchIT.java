package dev.compilerd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Benchmarks on the real clock (?bench=1) against the real server, Docker, runsc and image: real figures, a run for
 * every request, clear answers when there is nothing to run or a benchmark overruns, and benchmarks written to
 * misbehave end like any program does, in a 200 that says what happened, with no container left.
 */
class BenchIT {
    static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start("compilerd-it-bench", "--pool", "0");
    }

    @AfterAll
    static void stop() throws Exception {
        server.stopCleanly();
    }

    @AfterEach
    void serverIsStillWellAndNothingIsLeft() throws Exception {
        assertThat(server.get("/healthz").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> Docker.containers(server.prefix).isEmpty());
        assertThat(server.log()).doesNotContain("ERROR");
    }

    static String source(String name) throws Exception {
        try (InputStream in = BenchIT.class.getResourceAsStream("/bench/" + name + ".go")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static JsonNode bench(String query, String source) throws Exception {
        HttpResponse<String> r = server.post("/compile?bench=1" + query, source);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        System.out.println("bench answer: " + r.body());
        return ServerProcess.JSON.readTree(r.body());
    }

    private static final Pattern FIGURES = Pattern.compile(
            "(?m)^(Benchmark\\w+)(?:-\\d+)?\\s+(\\d+)\\s+([\\d.]+) ns/op\\s+(\\d+) B/op\\s+(\\d+) allocs/op$");

    /** Benchmark name → ns/op, from the figures lines of go test -bench -benchmem. */
    static java.util.Map<String, Double> nsPerOp(JsonNode r) {
        java.util.Map<String, Double> figures = new java.util.TreeMap<>();
        Matcher m = FIGURES.matcher(CompileIT.stdout(r));
        while (m.find()) {
            figures.put(m.group(1), Double.parseDouble(m.group(3)));
        }
        return figures;
    }

    @Test
    void twoBenchmarksPrintRealFiguresTheBiggerIsSlowerAndASecondRequestRunsAgain() throws Exception {
        String program = source("twice");
        double runs = server.metric("compilerd_bench_runs_total");
        double hits = server.metric("compilerd_cache_hits_total");
        List<JsonNode> answers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            JsonNode r = bench("", program);
            answers.add(r);
            assertThat(r.get("Errors").asText()).isEmpty();
            assertThat(r.get("Status").asInt()).isZero();
            assertThat(r.get("IsTest").asBoolean()).isTrue();
            assertThat(r.get("TestsFailed").asInt()).isZero();
            assertThat(r.get("Clock").asText()).isEqualTo("real");
            assertThat(r.get("Benchtime").asText()).isEqualTo("750ms"); // 30% of 5 s, shared by two
            java.util.Map<String, Double> ns = nsPerOp(r);
            assertThat(ns).as(CompileIT.stdout(r)).containsOnlyKeys("BenchmarkOnce", "BenchmarkTwice");
            assertThat(ns.get("BenchmarkTwice")).isGreaterThan(ns.get("BenchmarkOnce"));
            assertThat(CompileIT.stdout(r)).doesNotContain("the test ran").contains("goos: linux", "\nPASS\n");
            JsonNode stats = r.get("Stats");
            assertThat(stats.get("RunMs").asLong()).isGreaterThan(1500).isLessThan(5000);
            assertThat(stats.get("RunCpuMs").asLong()).isGreaterThan(1000);
        }
        assertThat(server.metric("compilerd_bench_runs_total")).isEqualTo(runs + 2);
        assertThat(server.metric("compilerd_cache_hits_total")).isEqualTo(hits);
        assertThat(answers.get(1)).isNotEqualTo(answers.get(0)); // two measurements
    }

    @Test
    void aPatternPicksTheBenchmarksAndBenchRunAddsTestsOnTheRealClock() throws Exception {
        JsonNode r = bench("&benchPattern=Twice&benchRun=OnlyWhenAsked", source("twice"));
        assertThat(nsPerOp(r)).containsOnlyKeys("BenchmarkTwice");
        assertThat(CompileIT.stdout(r)).contains("=== RUN   TestOnlyWhenAsked", "the test ran", "--- PASS: TestOnlyWhenAsked");
        assertThat(r.get("Benchtime").asText()).isEqualTo("1s");
    }

    @Test
    void withoutBenchTheSameProgramAnswersAsThePlaygroundDoesOnFakeTime() throws Exception {
        JsonNode r = server.compileOk(source("twice"));
        assertThat(r.get("Errors").asText()).isEmpty();
        assertThat(r.get("IsTest").asBoolean()).isTrue();
        assertThat(r.get("Status").asInt()).isZero();
        assertThat(CompileIT.stdout(r)).isEqualTo("=== RUN   TestOnlyWhenAsked\n    prog_test.go:26: the test ran\n"
                + "--- PASS: TestOnlyWhenAsked (0.00s)\nPASS\n");
        List<String> fields = new ArrayList<>();
        r.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("Errors", "Events", "Status", "IsTest", "TestsFailed", "VetErrors", "VetOK",
                "Stats");
    }

    @Test
    void aProgramWithoutBenchmarksSaysSo() throws Exception {
        JsonNode hello = bench("", "package main\n\nfunc main() { println(\"hi\") }\n");
        assertThat(hello.get("Errors").asText()).startsWith("no benchmarks to run: bench runs the Benchmark functions");
        assertThat(hello.get("Events").isNull()).isTrue();
        JsonNode tests = bench("", "package main\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) {}\n");
        assertThat(tests.get("Errors").asText()).isEqualTo(
                "no benchmarks to run: the program has no func BenchmarkXxx(b *testing.B)");
        JsonNode none = bench("&benchPattern=Sort", source("twice"));
        assertThat(none.get("Errors").asText()).isEqualTo(
                "no benchmark matches benchPattern \"Sort\": the program has BenchmarkOnce, BenchmarkTwice");
        JsonNode bad = bench("&benchPattern=(", source("twice"));
        assertThat(bad.get("Errors").asText()).startsWith("benchPattern: error parsing regexp");
    }

    @Test
    void anOverrunningBenchmarkTookTooLongAndKeepsTheLinesItPrinted() throws Exception {
        JsonNode r = bench("", source("sleeper"));
        assertThat(r.get("Errors").asText()).isEqualTo("process took too long");
        assertThat(CompileIT.stdout(r)).contains("BenchmarkSleep", "going to sleep\n");
        assertThat(r.get("Clock").asText()).isEqualTo("real");
        assertThat(r.get("Stats").get("RunMs").asLong()).isGreaterThanOrEqualTo(5000);
    }

    @Test
    void aBenchmarkThatStartsAProcessEveryIterationGetsItsFigures() throws Exception {
        JsonNode r = bench("", source("forks"));
        assertThat(r.get("Errors").asText()).isEmpty();
        assertThat(nsPerOp(r)).containsOnlyKeys("BenchmarkStartTrue");
    }

    /**
     * Which limit a fork bomb meets first depends on how busy the host is, as for any program (HostileIT): on a quiet
     * one its process limit, on a busy one (load 30 on 2 cores, measured) the sandbox's memory cgroup (every
     * process is another copy of the test binary) or the hard deadline. Each is a 200 that says the program ended.
     */
    @Test
    void aBenchmarkThatForkBombsEndsInItsOwnSandbox() throws Exception {
        JsonNode r = bench("", source("forkbomb"));
        String errors = r.get("Errors").asText();
        assertThat(errors).matches("process took too long|Program was killed: .*");
        if (errors.equals("process took too long") && !r.get("Events").isEmpty()) {
            assertThat(CompileIT.stdout(r)).contains("bombing\n");
            assertThat(HostileIT.stderr(r)).contains("too many processes: the program reached its limit of 512");
        }
    }

    @Test
    void aBenchmarkThatFloodsItsOutputIsCutAtTheCap() throws Exception {
        JsonNode r = bench("", source("flood"));
        assertThat(r.get("Errors").asText()).isEqualTo("Program output too large.");
        assertThat(CompileIT.allOutput(r).length()).isLessThanOrEqualTo(64 * 1024).isGreaterThan(60 * 1024);
    }

    @Test
    void aForgedPlaybackFrameIsPlainOutputWithNoDelay() throws Exception {
        JsonNode r = bench("", source("forger"));
        assertThat(HostileIT.stderr(r)).contains("PB", "forged\n");
        r.get("Events").forEach(e -> assertThat(e.get("Delay").asLong()).isZero());
        assertThat(CompileIT.stdout(r)).contains("--- SKIP: BenchmarkForge");
    }
}
