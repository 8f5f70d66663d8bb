package dev.compilerd.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** ?v= picks a Go release with every body form; each release runs and caches on its own; unknown ones are a 400. */
class ReleasesHandlerTest extends JettyTestBase {
    private static final String PROGRAM = "package main\nfunc main() {}\n";

    @Test
    void noVersionRunsTheDefaultAndGoprevOrItsNameRunsThePrevious() throws Exception {
        start();
        assertThat(post("/compile", "text/plain", PROGRAM).statusCode()).isEqualTo(200);
        assertThat(sandbox.runs.get()).isEqualTo(1);
        assertThat(previous.runs.get()).isZero();

        assertThat(post("/compile?v=goprev", "text/plain", PROGRAM + "// 2\n").statusCode()).isEqualTo(200);
        assertThat(post("/compile?v=go1.26", "text/plain", PROGRAM + "// 3\n").statusCode()).isEqualTo(200);
        assertThat(previous.runs.get()).isEqualTo(2);
        assertThat(post("/compile?v=go1.27", "text/plain", PROGRAM + "// 4\n").statusCode()).isEqualTo(200);
        assertThat(sandbox.runs.get()).isEqualTo(2);
    }

    @Test
    void theReleaseComesFromTheQueryWithJsonAndTheFormWhoseVersionFieldIsTheProtocols() throws Exception {
        start();
        HttpResponse<String> json = post("/compile?v=goprev", "application/json", "{\"body\": \"package main\\n\"}");
        HttpResponse<String> form = post("/compile?v=goprev", "application/x-www-form-urlencoded",
                "version=2&body=package+main%0A%2F%2F+form%0A");
        HttpResponse<String> formDefault = post("/compile", "application/x-www-form-urlencoded",
                "version=2&body=package+main%0A%2F%2F+default%0A");

        assertThat(json.statusCode()).isEqualTo(200);
        assertThat(form.statusCode()).isEqualTo(200);
        assertThat(formDefault.statusCode()).isEqualTo(200);
        assertThat(previous.runs.get()).isEqualTo(2);
        assertThat(sandbox.runs.get()).isEqualTo(1);
    }

    @Test
    void theSameProgramUnderTwoReleasesIsTwoRunsAndTwoCacheEntries() throws Exception {
        start();
        for (int i = 0; i < 2; i++) {
            assertThat(post("/compile", "text/plain", PROGRAM).statusCode()).isEqualTo(200);
            assertThat(post("/compile?v=goprev", "text/plain", PROGRAM).statusCode()).isEqualTo(200);
        }

        assertThat(sandbox.runs.get()).isEqualTo(1);
        assertThat(previous.runs.get()).isEqualTo(1);
        assertThat(main.service().releases().all()).hasSize(2);
        assertThat(metrics.registry().get("compilerd_cache_entries").gauge().value()).isEqualTo(2);
    }

    @Test
    void anUnknownReleaseIsA400ThatListsWhatExists() throws Exception {
        start();
        HttpResponse<String> r = post("/compile?v=gotip", "text/plain", PROGRAM);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("unknown Go release 'gotip'", "go1.27 (default)", "go1.26 (?v=goprev)");
        assertThat(sandbox.runs.get() + previous.runs.get()).isZero();
        assertThat(count("bad-request")).isEqualTo(1);
    }

    @Test
    void versionAnswersPerReleaseAndTheIndexListsThem() throws Exception {
        start();
        assertThat(get("/version").body()).contains("\"Version\":\"go1.27.4\"", "\"Image\":\"sha256:fake-go1.27.4\"");
        assertThat(get("/version?v=goprev").body()).contains("\"Version\":\"go1.26.11\"", "\"Release\":\"go1.26\"");
        assertThat(get("/version?v=go1.26").body()).contains("\"Version\":\"go1.26.11\"");
        HttpResponse<String> unknown = get("/version?v=go1.5");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("go1.27 (default), go1.26 (?v=goprev)");
        assertThat(get("/").body()).contains("Go releases: go1.27 (default), go1.26 (?v=goprev)");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
