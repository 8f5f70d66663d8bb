package dev.compilerd.http;

import dev.compilerd.Main;
import dev.compilerd.config.ConfigParser;
import dev.compilerd.metrics.Metrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;

/** Real Jetty on a free loopback port with the real wiring from Main around a {@link FakeSandbox}. */
abstract class JettyTestBase {
    static final String HELLO = "package main\n\nfunc main() { println(\"hi\") }\n";
    final HttpClient client = HttpClient.newHttpClient();
    final FakeSandbox sandbox = new FakeSandbox("go1.27.4");
    /** The previous Go release, ?v=goprev. */
    final FakeSandbox previous = new FakeSandbox("go1.26.11");
    final Metrics metrics = new Metrics();
    Main main;

    void start(String... flags) throws Exception {
        List<String> args = new ArrayList<>(List.of("--port", "0", "--bind", "127.0.0.1", "--lifetime-max", "0"));
        args.addAll(List.of(flags));
        main = new Main(new ConfigParser(Map.of()).parse(args.toArray(String[]::new)), List.of(sandbox, previous), Clock.systemUTC(),
                metrics);
        main.start();
    }

    @AfterEach
    void stop() throws Exception {
        sandbox.gate.countDown();
        previous.gate.countDown();
        if (main != null) {
            main.http().drainAndStop();
        }
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + main.port() + path);
    }

    HttpResponse<String> post(String contentType, String body) throws Exception {
        return post("/compile", contentType, body);
    }

    HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    CompletableFuture<HttpResponse<String>> postAsync(String body) {
        return client.sendAsync(HttpRequest.newBuilder(uri("/compile")).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** How many /compile requests ended with this outcome label. */
    double count(String outcome) {
        return metrics.registry().counter("compilerd_requests", "outcome", outcome).count();
    }
}
