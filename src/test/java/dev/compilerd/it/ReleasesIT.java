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

/** Two Go releases in one real server: ?v= picks one, each runs today's Go, and each keeps its own runs and cache. */
class ReleasesIT {
    private static final String VERSION = "package main\n\nimport (\n\t\"fmt\"\n\t\"runtime\"\n)\n\n"
            + "func main() { fmt.Println(runtime.Version()) }\n";
    /** sync.WaitGroup.Go (Go 1.25), errors.AsType and new(expr) (Go 1.26). */
    static final String TODAYS_GO = """
            package main

            import (
            \t"errors"
            \t"fmt"
            \t"io/fs"
            \t"os"
            \t"sync"
            )

            func main() {
            \tvar wg sync.WaitGroup
            \tvar mu sync.Mutex
            \tsum := 0
            \tfor i := 1; i <= 4; i++ {
            \t\twg.Go(func() { mu.Lock(); sum += i; mu.Unlock() })
            \t}
            \twg.Wait()
            \t_, err := os.Open("/no/such/file")
            \tpe, ok := errors.AsType[*fs.PathError](err)
            \tn := new(int64(300))
            \tfmt.Println(sum, ok, pe.Path, *n)
            }
            """;

    private static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start("compilerd-it-releases", "--workers", "2");
    }

    @AfterAll
    static void stop() throws Exception {
        server.stopCleanly();
    }

    private static JsonNode ok(String path, String source) throws Exception {
        HttpResponse<String> r = server.post(path, source);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return ServerProcess.JSON.readTree(r.body());
    }

    @Test
    void theDefaultIsGo127AndGoprevOrItsNameIsGo126() throws Exception {
        assertThat(CompileIT.stdout(ok("/compile", VERSION))).startsWith("go1.27.");
        assertThat(CompileIT.stdout(ok("/compile?v=goprev", VERSION))).startsWith("go1.26.");
        assertThat(CompileIT.stdout(ok("/compile?v=go1.26", VERSION + "// named\n"))).startsWith("go1.26.");
        assertThat(CompileIT.stdout(ok("/compile?v=go1.27", VERSION + "// named\n"))).startsWith("go1.27.");
    }

    @Test
    void go125And126FeaturesCompileAndRunOnBothReleases() throws Exception {
        for (String path : List.of("/compile", "/compile?v=goprev")) {
            JsonNode r = ok(path, TODAYS_GO);
            assertThat(r.get("Errors").asText()).as(path).isEmpty();
            assertThat(CompileIT.stdout(r)).as(path).isEqualTo("10 true /no/such/file 300\n");
        }
    }

    @Test
    void anUnknownReleaseIsA400AndVersionAnswersPerRelease() throws Exception {
        HttpResponse<String> unknown = server.post("/compile?v=go1.5", VERSION);
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("go1.27 (default)", "go1.26 (?v=goprev)");

        JsonNode latest = ServerProcess.JSON.readTree(server.get("/version").body());
        JsonNode previous = ServerProcess.JSON.readTree(server.get("/version?v=goprev").body());
        assertThat(latest.get("Release").asText()).isEqualTo("go1.27");
        assertThat(previous.get("Release").asText()).isEqualTo("go1.26");
        assertThat(latest.get("Image").asText()).startsWith("sha256:").isNotEqualTo(previous.get("Image").asText());
        assertThat(latest.get("Modules").toString()).contains("golang.org/x/tools", "golang.org/x/exp");
        assertThat(server.get("/").body()).contains("go1.27 (default), go1.26 (?v=goprev)");
    }

    @Test
    void eachReleaseRunsCachesAndCoalescesOnItsOwn() throws Exception {
        String program = FleetIT.busy("releases-" + System.nanoTime());
        double runs = server.metric("compilerd_build_duration_seconds_count");
        double coalesced = server.metric("compilerd_requests_total", "outcome=\"coalesced\"");
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            all.add(server.postAsync("/compile", program));
            all.add(server.postAsync("/compile?v=goprev", program));
        }
        for (CompletableFuture<HttpResponse<String>> f : all) {
            HttpResponse<String> r = f.get();
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(CompileIT.stdout(ServerProcess.JSON.readTree(r.body()))).endsWith(" true\n");
        }
        assertThat(server.metric("compilerd_build_duration_seconds_count") - runs).as("one run per release").isEqualTo(2);
        assertThat(server.metric("compilerd_requests_total", "outcome=\"coalesced\"") - coalesced).isEqualTo(4);

        ok("/compile", program);
        ok("/compile?v=goprev", program);
        assertThat(server.metric("compilerd_build_duration_seconds_count") - runs).as("both cached").isEqualTo(2);
    }

    @Test
    void aReleaseNobodyAsksForKeepsNoWarmSandboxUntilItIsAskedFor() throws Exception {
        try (ServerProcess fresh = ServerProcess.start("compilerd-it-releases-pool", "--pool", "2")) {
            String latest = "release=\"go1.27\"";
            String previous = "release=\"go1.26\"";
            await().atMost(Duration.ofSeconds(30)).until(() -> fresh.metric("compilerd_pool_idle", latest) == 1);
            assertThat(fresh.metric("compilerd_pool_target", previous)).isZero();
            assertThat(fresh.metric("compilerd_pool_idle", previous)).isZero();

            for (int i = 0; i < 2; i++) {
                HttpResponse<String> r = fresh.post("/compile?v=goprev", VERSION + "// " + i + "\n");
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).contains("go1.26");
            }
            assertThat(fresh.metric("compilerd_pool_misses_total", previous)).as("started for the request").isEqualTo(2);
            assertThat(fresh.metric("compilerd_pool_target", previous)).as("asked for again: one waits").isGreaterThanOrEqualTo(1);
            fresh.stopCleanly();
        }
    }
}
