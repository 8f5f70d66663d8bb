package dev.compilerd.http;

import dev.compilerd.compile.Outcome;
import dev.compilerd.logging.RequestLogAppender;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place every /compile request (but a CORS preflight) ends, just before its answer is sent (so metrics are never behind what a
 * client has seen): counts its {@link Outcome} in compilerd_requests_total and logs one
 * line (with its fields as key-value pairs for the JSON log) through logback's never-blocking request appender,
 * which drops and counts when full (compilerd_request_log_dropped_total). Never blocks. Thread-safe.
 */
final class RequestLog implements AutoCloseable {
    /** The logger logback.xml routes to the asynchronous request appender. */
    static final String LOGGER = "dev.compilerd.requests";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
    /** How long closing waits for queued lines to be written. */
    static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(2);

    private final Map<Outcome, Counter> counts = new EnumMap<>(Outcome.class);
    private final RequestLogAppender appender;

    RequestLog(MeterRegistry meters) {
        for (Outcome o : Outcome.values()) {
            counts.put(o, Counter.builder("compilerd_requests").description("POST /compile requests by how they ended")
                    .tag("outcome", o.label()).register(meters));
        }
        this.appender = LOG instanceof ch.qos.logback.classic.Logger l
                && l.getAppender("REQUESTS") instanceof RequestLogAppender a ? a : null;
        if (appender != null) {
            FunctionCounter.builder("compilerd_request_log_dropped", appender, RequestLogAppender::dropped)
                    .description("request log lines dropped because the queue was full").register(meters);
        }
    }

    /** Counts the outcome and logs its line; {@code cache} is hit, shared, coalesced or miss. */
    void record(Outcome outcome, String cache, long millis, String container) {
        counts.get(outcome).increment();
        String name = container.isEmpty() ? "-" : container;
        LOG.atInfo().addKeyValue("status", outcome.status()).addKeyValue("cache", cache)
                .addKeyValue("outcome", outcome.label()).addKeyValue("ms", millis).addKeyValue("container", name)
                .log("POST /compile status=" + outcome.status() + " cache=" + cache + " outcome=" + outcome.label()
                        + " ms=" + millis + " container=" + name);
    }

    /** Waits (briefly) until the queued lines are written, so the last requests' lines are not lost. */
    @Override
    public void close() throws InterruptedException {
        long deadline = System.nanoTime() + FLUSH_TIMEOUT.toNanos();
        while (appender != null && appender.getNumberOfElementsInQueue() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }
}
