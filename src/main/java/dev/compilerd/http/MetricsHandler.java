package dev.compilerd.http;

import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** GET /metrics in the Prometheus text format. */
public final class MetricsHandler extends Handler.Abstract {
    private final Supplier<String> scrape;

    public MetricsHandler(Supplier<String> scrape) {
        this.scrape = scrape;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Responses.send(response, callback, 200, "text/plain; version=0.0.4; charset=utf-8",
                scrape.get().getBytes(StandardCharsets.UTF_8));
        return true;
    }
}
