package dev.compilerd.modules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Answers, the cache and single flight, against a real local upstream. */
class ModuleProxyTest extends ModuleProxyTestBase {
    @Test
    void fetchesAVersionsFilesOnceAndAnswersTheNextProgramFromDisk() throws Exception {
        proxy();
        for (String file : List.of(".info", ".mod", ".zip")) {
            String path = TOUR + "/@v/v0.1.0" + file;
            Reply first = proxy.get(path, proxy.budget());
            Reply second = proxy.get(path, proxy.budget());

            assertThat(first.status()).isEqualTo(200);
            assertThat(first.body().read()).isEqualTo(upstream.bytes(path));
            assertThat(second.body().read()).isEqualTo(upstream.bytes(path));
            assertThat(second.contentType()).isEqualTo(first.contentType());
            assertThat(upstream.requests(path)).as(path).isEqualTo(1);
        }
        assertThat(proxy.get(TOUR_ZIP, proxy.budget()).contentType()).isEqualTo("application/zip");
        assertThat(requests("fetched")).isEqualTo(3);
        assertThat(requests("hit")).isEqualTo(4);
        assertThat(meters.get("compilerd_module_cache_hits").counter().count()).isEqualTo(4);
    }

    @Test
    void listsAndLatestAreReusedForTheTtlThenAskedAgain() throws Exception {
        proxy();
        String list = TOUR + "/@v/list";
        assertThat(text(proxy.get(list, proxy.budget()))).isEqualTo("v0.1.0\n");
        upstream.module(TOUR, "v0.2.0", Map.of("pic/pic.go", "package pic\n"));

        ticker.advance(TTL.minusSeconds(1));
        assertThat(text(proxy.get(list, proxy.budget()))).isEqualTo("v0.1.0\n");
        assertThat(upstream.requests(list)).isEqualTo(1);

        ticker.advance(Duration.ofSeconds(1));
        assertThat(text(proxy.get(list, proxy.budget()))).isEqualTo("v0.1.0\nv0.2.0\n");
        assertThat(text(proxy.get(TOUR + "/@latest", proxy.budget()))).contains("\"Version\":\"v0.2.0\"");
        assertThat(upstream.requests(list)).isEqualTo(2);
    }

    @Test
    void notFoundPassesTheUpstreamsTextThroughAndIsReusedForTheTtl() throws Exception {
        proxy();
        String missing = "example.com/nope/@v/list";

        Reply r = proxy.get(missing, proxy.budget());
        assertThat(r.status()).isEqualTo(404);
        assertThat(text(r)).isEqualTo("not found: " + missing + "\n");
        assertThat(r.upstreamFailure()).isFalse();
        assertThat(proxy.get(missing, proxy.budget()).status()).isEqualTo(404);
        assertThat(upstream.requests(missing)).isEqualTo(1);

        ticker.advance(TTL);
        upstream.fail(missing, 410);
        Reply gone = proxy.get(missing, proxy.budget());
        assertThat(gone.status()).isEqualTo(410);
        assertThat(text(gone)).contains("failing: " + missing);
        assertThat(requests("not-found")).isEqualTo(3);
    }

    @Test
    void identicalFetchesInFlightAreMadeOnce() throws Exception {
        proxy();
        FakeModuleUpstream.Hold hold = upstream.hold(TOUR_ZIP);
        int programs = 5;
        ExecutorService pool = Executors.newFixedThreadPool(programs);
        try {
            List<Future<Reply>> replies = new ArrayList<>();
            for (int i = 0; i < programs; i++) {
                replies.add(pool.submit(() -> proxy.get(TOUR_ZIP, proxy.budget())));
            }
            assertThat(hold.awaitArrival(Duration.ofSeconds(10))).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> proxy.waitingForFetches() == programs - 1);
            hold.release();

            for (Future<Reply> f : replies) {
                Reply r = f.get();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body().read()).isEqualTo(upstream.bytes(TOUR_ZIP));
            }
        } finally {
            hold.release();
            pool.shutdownNow();
        }
        assertThat(upstream.requests(TOUR_ZIP)).isEqualTo(1);
        assertThat(meters.get("compilerd_module_upstream_bytes").counter().count())
                .isEqualTo(upstream.bytes(TOUR_ZIP).length);
    }

    @Test
    void refusesMalformedPathsWithoutAskingTheUpstream() throws Exception {
        proxy();
        for (String bad : List.of("github.com/Azure/x/@v/list", "../../etc/passwd", "example.com/m/@v/v1.zip",
                "example.com/m/@v/v1.0.0.exe")) {
            Reply r = proxy.get(bad, proxy.budget());
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(text(r)).startsWith("refused: ");
            assertThat(r.upstreamFailure()).isFalse();
        }
        assertThat(upstream.totalRequests()).isZero();
        assertThat(requests("refused")).isEqualTo(4);
    }

    @Test
    void relaysTheConfiguredChecksumDatabaseAndKeepsItsLookups() throws Exception {
        proxy(settings(1 << 20, 100, 1 << 20, Duration.ofSeconds(5), "sum.golang.org"));
        String lookup = "sumdb/sum.golang.org/lookup/golang.org/x/tour@v0.1.0";
        byte[] record = "123\ngolang.org/x/tour v0.1.0 h1:abc=\n\n— sum.golang.org sig\n".getBytes(StandardCharsets.UTF_8);
        upstream.serve("sumdb/sum.golang.org/supported", 200, "text/plain", new byte[0]);
        upstream.serve(lookup, 200, "text/plain; charset=utf-8", record);

        assertThat(proxy.get("sumdb/sum.golang.org/supported", proxy.budget()).status()).isEqualTo(200);
        assertThat(proxy.get(lookup, proxy.budget()).body().read()).isEqualTo(record);
        ticker.advance(Duration.ofDays(1));
        assertThat(proxy.get(lookup, proxy.budget()).body().read()).isEqualTo(record);
        assertThat(upstream.requests(lookup)).isEqualTo(1);

        Reply other = proxy.get("sumdb/sum.example.org/supported", proxy.budget());
        assertThat(other.status()).isEqualTo(404);
        assertThat(text(other)).contains("only the checksum database sum.golang.org");
        assertThat(upstream.requests("sumdb/sum.example.org/supported")).isZero();
    }

    @Test
    void withTheChecksumDatabaseOffItsPathsAreNotFoundAndNeverFetched() throws Exception {
        proxy();
        Reply r = proxy.get("sumdb/sum.golang.org/supported", proxy.budget());

        assertThat(r.status()).isEqualTo(404);
        assertThat(text(r)).contains("--module-sumdb off");
        assertThat(upstream.totalRequests()).isZero();
    }

    @Test
    void cacheGaugesCountWhatIsOnDiskAndCloseRemovesIt() throws Exception {
        proxy();
        proxy.get(TOUR_ZIP, proxy.budget());
        proxy.get(TOUR + "/@v/v0.1.0.mod", proxy.budget());

        assertThat(meters.get("compilerd_module_cache_entries").gauge().value()).isEqualTo(2);
        assertThat(meters.get("compilerd_module_cache_bytes").gauge().value()).isEqualTo(2 * DiskCache.BLOCK_BYTES);
        assertThat(meters.get("compilerd_module_upstream_latency").timer().count()).isEqualTo(2);
        assertThat(cachedFiles()).hasSize(2);

        proxy.close();
        assertThat(proxy.cacheDirectory()).doesNotExist();
    }

    @Test
    void aCacheFileChangedOnDiskIsFetchedAgainNotServed() throws Exception {
        proxy();
        proxy.get(TOUR_ZIP, proxy.budget());
        java.nio.file.Files.write(cachedFiles().get(0), new byte[] {'P', 'K', 0, 0});

        Reply r = proxy.get(TOUR_ZIP, proxy.budget());

        assertThat(r.body().read()).isEqualTo(upstream.bytes(TOUR_ZIP));
        assertThat(upstream.requests(TOUR_ZIP)).isEqualTo(2);
    }

    @Test
    void prometheusSeesTheSeriesTheAlertsRead() throws Exception {
        dev.compilerd.metrics.Metrics metrics = new dev.compilerd.metrics.Metrics();
        var settings = settings(1 << 20, 100, 1 << 20, Duration.ofSeconds(5), "off");
        try (ModuleProxy scraped = new ModuleProxy(settings, ModuleProxy.upstreamClient(settings), ticker,
                metrics.registry())) {
            scraped.get(TOUR_ZIP, scraped.budget());
            scraped.get(TOUR_ZIP, scraped.budget());
            upstream.fail(TOUR + "/@v/list", 503);
            scraped.get(TOUR + "/@v/list", scraped.budget());

            // monitoring/rules read these names: a rename here must change them too.
            assertThat(metrics.scrape()).contains("compilerd_module_upstream_errors_total 1.0",
                    "compilerd_module_upstream_latency_seconds_count 2", "compilerd_module_requests_total{result=\"hit\"} 1.0",
                    "compilerd_module_requests_total{result=\"upstream-error\"} 1.0", "compilerd_module_cache_hits_total 1.0",
                    "compilerd_module_upstream_bytes_total " + (double) upstream.bytes(TOUR_ZIP).length,
                    "compilerd_module_cache_entries 1.0", "compilerd_module_cache_bytes " + (double) DiskCache.BLOCK_BYTES);
        }
    }

    @Test
    void theFixturesGoSumLinesAreTheOnesTheGoCommandWrites() {
        // Written by go1.27's go command (GOFLAGS=-mod=mod) after building against this fixture through the proxy.
        upstream.module("example.com/dep", "v1.0.0",
                Map.of("dep.go", "package dep\n\nfunc Hello() string { return \"hello from dep\" }\n"));

        assertThat(upstream.goSum("example.com/dep", "v1.0.0")).isEqualTo(
                "example.com/dep v1.0.0 h1:3kkElRfi78McsauirKyLFH4dYLJ5PuiwHuXqKNFoIBE=\n"
                + "example.com/dep v1.0.0/go.mod h1:+QWJ4TaKK0+5my1i1gpAnAdlLGkNg3weRsq3J1AghTg=\n");
    }
}
