package dev.compilerd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.compilerd.compile.ResultCache;
import dev.compilerd.config.ConfigParser;
import dev.compilerd.sandbox.Program;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two real servers sharing a real Valkey store: a program run on one is answered by the other without a run, and a
 * program asked of both at once runs once unless its answer cannot be kept; a hung, dead or corrupt store never
 * fails a request and costs at most the lookup timeout; hits resume after.
 */
class SharedCacheIT {
    static ValkeyContainer valkey;
    static ServerProcess a;
    static ServerProcess b;

    @BeforeAll
    static void start() throws Exception {
        valkey = new ValkeyContainer();
        valkey.start();
        // Eight programs at once on two workers take longer than the default --max-queue-wait under gVisor: these
        // tests are about the store, not admission, so nothing may be turned away.
        a = ServerProcess.start("compilerd-it-shared-a", "--pool", "1", "--shared-cache", valkey.url(),
                "--max-queue-wait", "60s", "--drain-timeout", "90s");
        b = ServerProcess.start("compilerd-it-shared-b", "--pool", "1", "--shared-cache", valkey.url(),
                "--max-queue-wait", "60s", "--drain-timeout", "90s");
        await().atMost(Duration.ofSeconds(30)).until(() -> a.log().contains("shared cache connected")
                && b.log().contains("shared cache connected"));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            a.stopCleanly();
            b.stopCleanly();
        } finally {
            valkey.stop();
        }
    }

    static String hello(String tag) {
        return "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"shared " + tag + "\") }\n";
    }

    /** Containers the default release's pool handed out, warm or started for the request. */
    static double containersHandedOut(ServerProcess s) throws Exception {
        String label = "release=\"" + ServerProcess.JSON.readTree(s.get("/version").body()).get("Release").asText() + "\"";
        return s.metric("compilerd_pool_hits_total", label) + s.metric("compilerd_pool_misses_total", label);
    }

    @Test
    void aProgramRunOnOneServerIsAnsweredByAnotherWithoutARun() throws Exception {
        String source = hello("across " + System.nanoTime());
        JsonNode first = a.compileOk(source);
        awaitStored(source); // A writes to the store after it answers, without waiting
        double before = containersHandedOut(b);

        JsonNode second = b.compileOk(source);

        assertThat(second).isEqualTo(first);
        assertThat(CompileIT.stdout(second)).startsWith("shared across");
        assertThat(containersHandedOut(b)).as("containers B used").isEqualTo(before);
        assertThat(b.metric("compilerd_shared_cache_hits_total")).isPositive();
        await().until(() -> b.log().contains("cache=shared outcome=cached"));
        double localHits = b.metric("compilerd_cache_hits_total");
        assertThat(b.compileOk(source)).isEqualTo(first); // now from B's own cache
        assertThat(b.metric("compilerd_cache_hits_total")).isEqualTo(localHits + 1);
    }

    @Test
    void aProgramAskedOfTwoServersAtOnceRunsOnceAndBothAnswerWithIt() throws Exception {
        String source = hello("at once " + System.nanoTime());
        double before = containersHandedOut(a) + containersHandedOut(b);
        double awaited = a.metric("compilerd_fleet_awaited_total", "result=\"answered\"")
                + b.metric("compilerd_fleet_awaited_total", "result=\"answered\"");

        CompletableFuture<HttpResponse<String>> onA = a.compileAsync(source);
        CompletableFuture<HttpResponse<String>> onB = b.compileAsync(source);

        assertThat(onA.get().statusCode()).as(onA.get().body()).isEqualTo(200);
        assertThat(onB.get().statusCode()).as(onB.get().body()).isEqualTo(200);
        assertThat(ServerProcess.JSON.readTree(onB.get().body())).isEqualTo(ServerProcess.JSON.readTree(onA.get().body()));
        assertThat(CompileIT.stdout(ServerProcess.JSON.readTree(onA.get().body()))).startsWith("shared at once");
        assertThat(containersHandedOut(a) + containersHandedOut(b)).as("containers both used").isEqualTo(before + 1);
        assertThat(a.metric("compilerd_fleet_awaited_total", "result=\"answered\"")
                + b.metric("compilerd_fleet_awaited_total", "result=\"answered\"")).isEqualTo(awaited + 1);
        await().until(() -> a.log().contains("cache=fleet outcome=coalesced")
                || b.log().contains("cache=fleet outcome=coalesced"));
    }

    @Test
    void aProgramWhoseAnswerCannotBeKeptRunsOnEachServerThatIsAskedForIt() throws Exception {
        // Hostile to the fleet's sharing: its answer (a timeout) is timing, so no server may hand it to another.
        String source = "package main\n\n// " + System.nanoTime() + "\nfunc main() {\n\tfor {\n\t}\n}\n";
        double before = containersHandedOut(a) + containersHandedOut(b);

        CompletableFuture<HttpResponse<String>> onA = a.compileAsync(source);
        CompletableFuture<HttpResponse<String>> onB = b.compileAsync(source);

        for (HttpResponse<String> r : List.of(onA.get(), onB.get())) {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(ServerProcess.JSON.readTree(r.body()).get("Errors").asText()).isEqualTo("process took too long");
        }
        assertThat(containersHandedOut(a) + containersHandedOut(b)).as("containers both used").isEqualTo(before + 2);
        assertThat(valkey.execInContainer("valkey-cli", "exists", storeKey(source)).getStdout().strip()).isEqualTo("0");
    }

    @Test
    void aHungStoreFailsNothingCostsAtMostTheLookupTimeoutAndHitsResumeAfter() throws Exception {
        String cachedBefore = hello("before the hang " + System.nanoTime());
        a.compileOk(cachedBefore);
        awaitStored(cachedBefore);
        valkey.pause();
        try {
            List<String> programs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                programs.add(hello("during the hang " + i + " " + System.nanoTime()));
            }
            assertAllAnswered(b, programs);
            assertThat(b.metric("compilerd_shared_cache_breaker_open")).isEqualTo(1);
            assertThat(b.metric("compilerd_shared_cache_lookup_seconds_max")).as("slowest lookup, s").isLessThan(0.5);
        } finally {
            valkey.unpause();
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            double hits = b.metric("compilerd_shared_cache_hits_total");
            b.compileOk(cachedBefore + "// " + System.nanoTime()); // a miss that lets the breaker try again
            assertThat(b.metric("compilerd_shared_cache_breaker_open")).isZero();
            assertThat(b.compileOk(cachedBefore)).isNotNull();
            assertThat(b.metric("compilerd_shared_cache_hits_total")).isGreaterThan(hits);
        });
    }

    @Test
    void aDeadStoreFailsNothingAndHitsResumeWhenItIsBack() throws Exception {
        valkey.kill();
        try {
            List<String> programs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                programs.add(hello("store down " + i + " " + System.nanoTime()));
            }
            assertAllAnswered(b, programs);
        } finally {
            valkey.restart();
        }
        String source = hello("after the restart " + System.nanoTime());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            b.compileOk(source + "// " + System.nanoTime()); // a miss that lets B's breaker try the store again
            assertThat(b.metric("compilerd_shared_cache_breaker_open")).isZero();
        });
        a.compileOk(source);
        awaitStored(source);
        double hits = b.metric("compilerd_shared_cache_hits_total");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            b.compileOk(source);
            assertThat(b.metric("compilerd_shared_cache_hits_total")).isGreaterThan(hits);
        });
    }

    /** The store's key for a raw-body program, as both servers compute it. */
    static String storeKey(String source) throws Exception {
        String imageId = Docker.run("docker", "image", "inspect", "-f", "{{.Id}}",
                new ConfigParser(System.getenv()).parse().sandbox().releases().get(0).image()).strip();
        return "compilerd:result:" + new ResultCache(1, 1).key(imageId, Program.of(source));
    }

    static void awaitStored(String source) throws Exception {
        String key = storeKey(source);
        await().atMost(Duration.ofSeconds(10)).until(() ->
                valkey.execInContainer("valkey-cli", "exists", key).getStdout().strip().equals("1"));
    }

    @Test
    void aCorruptOrOversizedValueIsAMiss() throws Exception {
        String corrupt = hello("corrupt " + System.nanoTime());
        String oversized = hello("oversized " + System.nanoTime());
        valkey.execInContainer("valkey-cli", "set", storeKey(corrupt), "{\"Errors\":\"planted\"}");
        valkey.execInContainer("valkey-cli", "eval", "redis.call('set', KEYS[1], string.rep('x', 3 * 1024 * 1024))",
                "1", storeKey(oversized));
        double errors = b.metric("compilerd_shared_cache_errors_total");

        assertThat(CompileIT.stdout(b.compileOk(corrupt))).startsWith("shared corrupt");
        assertThat(CompileIT.stdout(b.compileOk(oversized))).startsWith("shared oversized");
        assertThat(b.metric("compilerd_shared_cache_errors_total")).isEqualTo(errors + 2);
    }

    /** Sends all at once; every one must be a 200 with its own output. */
    private static void assertAllAnswered(ServerProcess s, List<String> programs) throws Exception {
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (String p : programs) {
            all.add(s.compileAsync(p));
        }
        for (int i = 0; i < programs.size(); i++) {
            HttpResponse<String> r = all.get(i).get();
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(CompileIT.stdout(ServerProcess.JSON.readTree(r.body()))).startsWith("shared ");
        }
    }
}
