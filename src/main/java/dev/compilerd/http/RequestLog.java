package dev.compilerd.http;

import dev.compilerd.compile.Outcome;
import dev.compilerd.logging.CountingAsyncAppender;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place every /compile request (but a CORS preflight) ends, just before its answer is sent (so metrics are
 * never behind what a client has seen): counts its {@link Outcome} in compilerd_requests_total and logs one line whose
 * fields are key-value pairs. logback.xml writes the line from a thread of its own and never blocks the request: lines
 * it drops are compilerd_request_log_dropped_total. Thread-safe.
 */
final class RequestLog {
    /** The logger whose appenders (logback.xml) receive the request lines. */
    static final String LOGGER = "dev.compilerd.requests";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private final Map<Outcome, Counter> counts = new EnumMap<>(Outcome.class);

    RequestLog(MeterRegistry meters) {
        for (Outcome o : Outcome.values()) {
            counts.put(o, Counter.builder("compilerd_requests").description("POST /compile and /fmt requests by how they ended")
                    .tag("outcome", o.label()).register(meters));
        }
        FunctionCounter.builder("compilerd_request_log_dropped", LOG, CountingAsyncAppender::droppedBy)
                .description("request log lines dropped because the log's queue was full").register(meters);
    }

    /** Counts a /compile request's outcome and logs its line; {@code cache} is hit, shared, coalesced or miss. */
    void record(Outcome outcome, String cache, long millis, String container) {
        record("/compile", outcome, cache, millis, container);
    }

    /** The same for a request to {@code path} (/compile or /fmt). */
    void record(String path, Outcome outcome, String cache, long millis, String container) {
        counts.get(outcome).increment();
        LOG.atInfo().setMessage("POST " + path)
                .addKeyValue("status", Statuses.logged(outcome))
                .addKeyValue("cache", cache)
                .addKeyValue("outcome", outcome.label())
                .addKeyValue("ms", millis)
                .addKeyValue("container", container.isEmpty() ? "-" : container)
                .log();
    }
}
