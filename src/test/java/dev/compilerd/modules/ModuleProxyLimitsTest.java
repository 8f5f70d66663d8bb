package dev.compilerd.modules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Each program's limits, the largest file, and every way the upstream can fail: all of them replies, none cached. */
class ModuleProxyLimitsTest extends ModuleProxyTestBase {
    private static final String BIG = "example.com/big/@v/v1.0.0.zip";

    @Test
    void aFileOverTheLargestFileLimitIsRefusedByNameAndNotKept() throws Exception {
        proxy(settings(1 << 20, 100, 1000, Duration.ofSeconds(5), "off"));
        upstream.serve(BIG, 200, "application/zip", new byte[1001]);
        upstream.serve("example.com/big/@v/v1.0.1.zip", 200, "application/zip", new byte[5000]);
        upstream.chunked("example.com/big/@v/v1.0.1.zip"); // no Content-Length: found while reading

        for (String path : new String[] {BIG, "example.com/big/@v/v1.0.1.zip"}) {
            Reply r = proxy.get(path, proxy.budget());
            assertThat(r.status()).as(path).isEqualTo(Reply.LIMIT_STATUS);
            assertThat(r.overLimit()).isTrue();
            assertThat(r.upstreamFailure()).isFalse();
            assertThat(text(r)).isEqualTo(path + ": file larger than the module proxy's limit of 1000 bytes (--module-max-file)\n");
        }
        upstream.serve("example.com/big/@v/v1.0.2.zip", 200, "application/zip", new byte[1000]);
        assertThat(proxy.get("example.com/big/@v/v1.0.2.zip", proxy.budget()).status()).isEqualTo(200);
        assertThat(cachedFiles()).hasSize(1);
        assertThat(requests("limit")).isEqualTo(2);
    }

    @Test
    void aProgramGetsAtMostItsBytesWhetherTheyComeFromTheCacheOrTheUpstream() throws Exception {
        proxy(settings(1500, 100, 1000, Duration.ofSeconds(5), "off"));
        upstream.serve("example.com/a/@v/v1.0.0.zip", 200, "application/zip", new byte[800]);
        upstream.serve("example.com/b/@v/v1.0.0.zip", 200, "application/zip", new byte[800]);
        Budget other = proxy.budget();
        assertThat(proxy.get("example.com/b/@v/v1.0.0.zip", other).status()).isEqualTo(200); // now cached

        Budget program = proxy.budget();
        assertThat(proxy.get("example.com/a/@v/v1.0.0.zip", program).status()).isEqualTo(200);
        Reply over = proxy.get("example.com/b/@v/v1.0.0.zip", program);

        assertThat(over.status()).isEqualTo(Reply.LIMIT_STATUS);
        assertThat(text(over)).contains("over the limit of 1500 bytes of module files per program (--module-fetch-bytes)",
                "800 bytes fetched before this 800-byte file");
        assertThat(program.bytes()).isEqualTo(800);
        assertThat(proxy.get("example.com/b/@v/v1.0.0.zip", proxy.budget()).status()).isEqualTo(200);
    }

    @Test
    void aProgramMakesAtMostItsRequestsAndTheRestNeverReachTheUpstream() throws Exception {
        proxy(settings(1 << 20, 2, 1 << 20, Duration.ofSeconds(5), "off"));
        Budget program = proxy.budget();
        proxy.get(TOUR + "/@v/list", program);
        proxy.get(TOUR + "/@v/v0.1.0.mod", program);

        Reply third = proxy.get(TOUR_ZIP, program);

        assertThat(third.status()).isEqualTo(Reply.LIMIT_STATUS);
        assertThat(text(third)).isEqualTo("over the limit of 2 module proxy requests per program (--module-fetch-files)\n");
        assertThat(upstream.requests(TOUR_ZIP)).isZero();
        assertThat(program.files()).isEqualTo(2);
    }

    @Test
    void anUnreachableUpstreamIsA502NamingItAndNothingIsKept() throws Exception {
        proxy();
        upstream.stop();

        Reply r = proxy.get(TOUR_ZIP, proxy.budget());

        assertThat(r.status()).isEqualTo(Reply.UPSTREAM_FAILURE_STATUS);
        assertThat(r.upstreamFailure()).isTrue();
        assertThat(text(r)).startsWith("the module proxy's upstream failed: could not connect")
                .contains("not of the program");
        assertThat(cachedFiles()).isEmpty();
        assertThat(requests("upstream-error")).isEqualTo(1);
        assertThat(meters.get("compilerd_module_upstream_errors").counter().count()).isEqualTo(1);
    }

    @Test
    void anUpstreamServerErrorIsA502AndTheNextRequestAsksAgain() throws Exception {
        proxy();
        upstream.fail(TOUR_ZIP, 503);

        Reply failed = proxy.get(TOUR_ZIP, proxy.budget());
        assertThat(failed.status()).isEqualTo(Reply.UPSTREAM_FAILURE_STATUS);
        assertThat(failed.upstreamFailure()).isTrue();
        assertThat(text(failed)).contains("it answered HTTP 503: failing: " + TOUR_ZIP);

        upstream.heal(TOUR_ZIP);
        assertThat(proxy.get(TOUR_ZIP, proxy.budget()).status()).isEqualTo(200);
        assertThat(upstream.requests(TOUR_ZIP)).isEqualTo(2);
    }

    @Test
    void anUpstreamThatDoesNotAnswerInTimeIsA502() throws Exception {
        proxy(settings(1 << 20, 100, 1 << 20, Duration.ofMillis(300), "off"));
        FakeModuleUpstream.Hold hold = upstream.hold(TOUR_ZIP);
        try {
            Reply r = proxy.get(TOUR_ZIP, proxy.budget());

            assertThat(r.status()).isEqualTo(Reply.UPSTREAM_FAILURE_STATUS);
            assertThat(r.upstreamFailure()).isTrue();
            assertThat(text(r)).contains("within 300 ms");
        } finally {
            hold.release();
        }
        assertThat(cachedFiles()).isEmpty();
    }

    @Test
    void aDownloadCutShortNeverEntersTheCache() throws Exception {
        proxy();
        upstream.cut(TOUR_ZIP);

        Reply r = proxy.get(TOUR_ZIP, proxy.budget());

        assertThat(r.status()).isEqualTo(Reply.UPSTREAM_FAILURE_STATUS);
        assertThat(cachedFiles()).isEmpty();
        upstream.heal(TOUR_ZIP);
        assertThat(proxy.get(TOUR_ZIP, proxy.budget()).body().read()).isEqualTo(upstream.bytes(TOUR_ZIP));
        assertThat(upstream.requests(TOUR_ZIP)).isEqualTo(2);
    }

    @Test
    void aRedirectIsNotFollowedButReportedAsTheUpstreamsFailure() throws Exception {
        proxy();
        upstream.fail(TOUR_ZIP, 302);

        Reply r = proxy.get(TOUR_ZIP, proxy.budget());

        assertThat(r.status()).isEqualTo(Reply.UPSTREAM_FAILURE_STATUS);
        assertThat(text(r)).contains("it answered HTTP 302");
        assertThat(upstream.totalRequests()).isEqualTo(1);
    }

    @Test
    void anotherUpstreamStatusIsTheUpstreamsFailureNotTheProgramsAnswer() throws Exception {
        proxy();
        upstream.fail(TOUR + "/@v/list", 403);

        Reply r = proxy.get(TOUR + "/@v/list", proxy.budget());

        assertThat(r.status()).isEqualTo(Reply.UPSTREAM_FAILURE_STATUS);
        assertThat(r.upstreamFailure()).isTrue();
        upstream.heal(TOUR + "/@v/list");
        assertThat(proxy.get(TOUR + "/@v/list", proxy.budget()).status()).isEqualTo(200);
        assertThat(upstream.requests(TOUR + "/@v/list")).isEqualTo(2);
    }
}
