package dev.compilerd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real server, real Docker, runsc and the real image: what a playground frontend sees. */
class CompileIT {
    static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start("compilerd-it-compile", "--pool", "1");
    }

    @AfterAll
    static void stop() throws Exception {
        server.stopCleanly();
    }

    static JsonNode run(String source) throws Exception {
        return server.compileOk(source);
    }

    static String stdout(JsonNode response) {
        StringBuilder b = new StringBuilder();
        response.get("Events").forEach(e -> {
            if (e.get("Kind").asText().equals("stdout")) {
                b.append(e.get("Message").asText());
            }
        });
        return b.toString();
    }

    static String allOutput(JsonNode response) {
        StringBuilder b = new StringBuilder();
        response.get("Events").forEach(e -> b.append(e.get("Message").asText()));
        return b.toString();
    }

    @Test
    void helloWorldPrintsItsOutput() throws Exception {
        JsonNode r = run("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello, compilerd\") }\n");
        assertThat(r.get("Errors").asText()).isEmpty();
        assertThat(stdout(r)).isEqualTo("hello, compilerd\n");
        assertThat(r.get("Status").asInt()).isZero();
    }

    @Test
    void compileErrorShowsTheCompilersMessageWithTheUsersFileName() throws Exception {
        JsonNode r = run("package main\n\nfunc main() {\n\tx := 1\n}\n");
        assertThat(r.get("Errors").asText()).contains("./prog.go:4:2: declared and not used: x")
                .doesNotContain("/tmp/");
        assertThat(r.get("Events").isNull()).isTrue();
    }

    @Test
    void nonZeroExitIsTheStatus() throws Exception {
        JsonNode r = run("package main\n\nimport \"os\"\n\nfunc main() { println(\"bye\"); os.Exit(3) }\n");
        assertThat(r.get("Status").asInt()).isEqualTo(3);
        assertThat(allOutput(r)).contains("bye");
        assertThat(r.get("Errors").asText()).isEmpty();
    }

    @Test
    void panicReportsTheTraceAndExitStatus2() throws Exception {
        JsonNode r = run("package main\n\nfunc main() { var m map[string]int; m[\"x\"] = 1 }\n");
        assertThat(r.get("Status").asInt()).isEqualTo(2);
        assertThat(allOutput(r)).contains("panic: assignment to entry in nil map");
    }

    @Test
    void infiniteLoopTimesOutAndLeavesNoContainer() throws Exception {
        JsonNode r = run("package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"start\")\n\tfor {\n\t}\n}\n");
        assertThat(r.get("Errors").asText()).isEqualTo("process took too long");
        assertThat(stdout(r)).isEqualTo("start\n");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(Docker.containers(server.prefix)).hasSizeLessThanOrEqualTo(1)); // only the warm one
    }

    @Test
    void megabyteOfOutputIsCappedAndFlagged() throws Exception {
        JsonNode r = run("package main\n\nimport (\n\t\"fmt\"\n\t\"strings\"\n)\n\nfunc main() {\n"
                + "\tline := strings.Repeat(\"x\", 1023)\n\tfor i := 0; i < 1024; i++ {\n\t\tfmt.Println(line)\n\t}\n}\n");
        assertThat(r.get("Errors").asText()).isEqualTo("Program output too large.");
        assertThat(allOutput(r).length()).isLessThanOrEqualTo(64 * 1024);
    }

    @Test
    void sandboxHasNoNetworkAndTcpDialsFail() throws Exception {
        // Sends no packet off the sandbox even if it were broken: a UDP connect only looks up a route, and the
        // TCP dial targets the sandbox's own loopback. The program prints its own verdict, so a build failure
        // cannot pass for "no network".
        JsonNode r = run(NETWORK_PROBE);
        assertThat(r.get("Errors").asText()).isEmpty();
        assertThat(stdout(r)).contains("interfaces: [lo]\n", "route to 192.0.2.1: none\n", "tcp dial: failed\n");
    }

    static final String NETWORK_PROBE = """
            package main

            import (
            	"fmt"
            	"net"
            	"time"
            )

            func main() {
            	ifs, _ := net.Interfaces()
            	var names []string
            	for _, i := range ifs {
            		names = append(names, i.Name)
            	}
            	fmt.Printf("interfaces: %v\\n", names)
            	if _, err := net.Dial("udp", "192.0.2.1:9"); err != nil {
            		fmt.Println("route to 192.0.2.1: none")
            	} else {
            		fmt.Println("route to 192.0.2.1: exists")
            	}
            	if c, err := net.DialTimeout("tcp", "127.0.0.1:80", time.Second); err != nil {
            		fmt.Println("tcp dial: failed")
            	} else {
            		c.Close()
            		fmt.Println("tcp dial: connected")
            	}
            }
            """;

    @Test
    void secondIdenticalRequestIsACacheHitAndStartsNoContainer() throws Exception {
        String source = "package main\n\nfunc main() { println(\"cache me " + System.nanoTime() + "\") }\n";
        JsonNode first = run(source);
        double containersBefore = containersHandedOut();
        double hitsBefore = metric("compilerd_cache_hits_total");
        JsonNode second = run(source);
        assertThat(second).isEqualTo(first);
        assertThat(metric("compilerd_cache_hits_total")).isEqualTo(hitsBefore + 1);
        assertThat(containersHandedOut()).as("containers handed out").isEqualTo(containersBefore);
        // The request log's writer flushes its buffered lines once it has written all there was.
        await().atMost(Duration.ofSeconds(5)).until(() -> server.log().contains(
                "POST /compile status=200 cache=hit outcome=cached"));
        assertThat(metric("compilerd_request_log_dropped_total")).isZero();
    }

    @Test
    void theVmsJsonLogWritesEachRequestAsOneObjectWithCloudLoggingsFields() throws Exception {
        try (ServerProcess json = ServerProcess.start(List.of("-Dlogback.configurationFile=logback-json.xml"),
                "compilerd-it-jsonlog", "--pool", "0")) {
            assertThat(json.compile("-- ../evil.go --\npackage main\n").body()).contains("invalid file name");
            await().atMost(Duration.ofSeconds(5)).until(() -> json.log().contains("\"outcome\":\"invalid\""));
            String line = json.log().lines().filter(l -> l.contains("\"outcome\":\"invalid\"")).findFirst()
                    .orElseThrow();
            JsonNode j = ServerProcess.JSON.readTree(line);
            assertThat(j.get("severity").asText()).isEqualTo("INFO");
            assertThat(j.get("message").asText()).startsWith("POST /compile status=200 cache=miss outcome=invalid ms=");
            assertThat(j.get("status").asInt()).isEqualTo(200);
            assertThat(j.get("ms").isNumber()).isTrue();
            assertThat(j.get("container").asText()).isEqualTo("-");
            assertThat(j.has("time")).isTrue();
            assertThat(json.log().lines().filter(l -> l.contains("serving on")).findFirst().orElseThrow())
                    .startsWith("{\"severity\":\"INFO\"");
            json.stopCleanly();
        }
    }

    /** Containers the default release's pool handed out, warm or started for the request. */
    static double containersHandedOut() throws Exception {
        String release = ServerProcess.JSON.readTree(server.get("/version").body()).get("Release").asText();
        String label = "release=\"" + release + "\"";
        return server.metric("compilerd_pool_hits_total", label) + server.metric("compilerd_pool_misses_total", label);
    }

    static double metric(String name) throws Exception {
        return server.metric(name);
    }

    @Test
    void moreSlowRequestsThanWorkersPlusQueueGetA503() throws Exception {
        try (ServerProcess small = ServerProcess.start("compilerd-it-busy", "--pool", "0", "--workers", "1",
                "--queue", "1", "--run-timeout", "2s")) {
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String slow = "package main\n\nfunc main() {\n\tfor {\n\t}\n}\n// " + i + "\n";
                all.add(small.compileAsync(slow));
            }
            List<Integer> codes = all.stream().map(f -> f.join().statusCode()).toList();
            assertThat(codes).contains(503);
            small.stopCleanly();
        }
    }

    @Test
    void manyOneByteWritesCountOnlyTheirPayloadAgainstTheCap() throws Exception {
        // 20,000 one-byte writes are 340 KB of framed bytes but only 20 KB of output: well under 64 KiB.
        JsonNode r = run("package main\n\nimport \"os\"\n\nfunc main() {\n\tfor i := 0; i < 20000; i++ {\n"
                + "\t\tos.Stdout.Write([]byte{'x'})\n\t}\n}\n");
        assertThat(r.get("Errors").asText()).isEmpty();
        assertThat(stdout(r)).hasSize(20000).matches("x+");
    }
}
