package dev.compilerd.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.compilerd.compile.CompileService;
import dev.compilerd.config.HttpSettings;
import dev.compilerd.metrics.Metrics;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Builds the HTTP side of compilerd (router, /compile adapter, request log) from its settings; Main wires it. */
public final class Routes {
    private final RequestLog requestLog;
    private final Router router;

    /**
     * @param healthy        whether /healthz answers 200 (false from lameduck on)
     * @param closing        whether responses end their connection (lameduck: move clients off this VM)
     * @param sandboxFailure why containers fail to start, or null: /healthz fails while it is set
     */
    public Routes(HttpSettings http, CompileService service, ObjectMapper json, Metrics metrics,
                  BooleanSupplier healthy, BooleanSupplier closing, Supplier<String> sandboxFailure) {
        this.requestLog = new RequestLog(metrics.registry());
        CompileHandler compile = new CompileHandler(service, new RequestParser(json),
                new BodyReader(http.maxRequestBytes(), http.bodyTimeout()), new Replies(json), requestLog,
                http.allowOrigin());
        this.router = new Router(compile, healthy, sandboxFailure, closing, new MetricsHandler(metrics::scrape),
                http.port());
    }

    public Router router() {
        return router;
    }

    /** Flushes the request log; the server closes it after the last request. */
    public AutoCloseable requestLog() {
        return requestLog;
    }
}
