package dev.compilerd.http;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import dev.compilerd.compile.Outcome;
import dev.compilerd.logging.BufferedStderrAppender;
import dev.compilerd.logging.LogQueue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/**
 * The one place every /compile request (but a CORS preflight) ends, just before its answer is sent (so metrics are
 * never behind what a client has seen): counts its {@link Outcome} in compilerd_requests_total and queues one log
 * line (its fields also as key-value pairs for the JSON log), which a writer thread formats and writes; a full queue
 * drops and counts (compilerd_request_log_dropped_total). Never blocks. Thread-safe.
 */
final class RequestLog implements AutoCloseable {
    /** The logger whose appenders (logback.xml) receive the request lines. */
    static final String LOGGER = "dev.compilerd.requests";
    /** Lines that may wait for the writer before new ones are dropped (about 2 MB of lines at most). */
    static final int QUEUE_LINES = 16_384;
    /** How often an idle writer looks for lines: no request ever wakes it, which would cost every request. */
    static final Duration WRITER_POLL = Duration.ofMillis(20);
    /** How long closing waits for queued lines to be written. */
    static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(2);

    /** Every line's message starts with this, then " key=value" for each of {@link #KEYS}. */
    private static final String HEAD = "POST /compile";
    /** A line's fields, in order: also its key-value pairs (the JSON log's fields). */
    private static final String[] KEYS = {"status", "cache", "outcome", "ms", "container"};

    /** What a request leaves for the writer: cheap to make, formatted off the request's thread. */
    private record Line(long epochMillis, String thread, Outcome outcome, String cache, long millis, String container) {}

    private final Map<Outcome, Counter> counts = new EnumMap<>(Outcome.class);
    private final Logger logger = (Logger) LoggerFactory.getLogger(LOGGER);
    private final Clock clock;
    private final LogQueue<Line> queue;

    RequestLog(MeterRegistry meters, Clock clock) {
        this.clock = clock;
        for (Outcome o : Outcome.values()) {
            counts.put(o, Counter.builder("compilerd_requests").description("POST /compile requests by how they ended")
                    .tag("outcome", o.label()).register(meters));
        }
        this.queue = new LogQueue<>("request-log", QUEUE_LINES, WRITER_POLL, this::write, this::flush);
        FunctionCounter.builder("compilerd_request_log_dropped", queue, LogQueue::dropped)
                .description("request log lines dropped: the queue was full, or a line could not be written").register(meters);
    }

    /** Counts the outcome and queues its line; {@code cache} is hit, shared, coalesced or miss. */
    void record(Outcome outcome, String cache, long millis, String container) {
        counts.get(outcome).increment();
        if (logger.isInfoEnabled()) {
            queue.offer(new Line(clock.millis(), Thread.currentThread().getName(), outcome, cache, millis,
                    container.isEmpty() ? "-" : container));
        }
    }

    /**
     * On the writer thread: the line, stamped with the request's thread and end time, to the logger's appenders; the
     * request appender of logback.xml writes it from its fields (no event, no layout), any other gets the event.
     */
    private void write(Line l) {
        Object[] values = {Statuses.logged(l.outcome()), l.cache(), l.outcome().label(), l.millis(), l.container()};
        if (logger.isAdditive()) { // the parents' appenders too: only callAppenders knows them all
            logger.callAppenders(event(l, values));
            return;
        }
        LoggingEvent event = null;
        for (Iterator<Appender<ILoggingEvent>> it = logger.iteratorForAppenders(); it.hasNext(); ) {
            Appender<ILoggingEvent> a = it.next();
            if (a instanceof BufferedStderrAppender b
                    && b.appendFields(Level.INFO, LOGGER, l.thread(), l.epochMillis(), HEAD, KEYS, values)) {
                continue;
            }
            if (event == null) {
                event = event(l, values);
            }
            a.doAppend(event);
        }
    }

    private LoggingEvent event(Line l, Object[] values) {
        LoggingEvent e = new LoggingEvent(Logger.FQCN, logger, Level.INFO, BufferedStderrAppender.message(HEAD, KEYS,
                values), null, null);
        e.setTimeStamp(l.epochMillis());
        e.setThreadName(l.thread());
        for (int i = 0; i < KEYS.length; i++) {
            e.addKeyValuePair(new KeyValuePair(KEYS[i], values[i]));
        }
        return e;
    }

    /** On the writer thread, once the queue is empty: writes what a buffering appender (logback.xml) holds. */
    private void flush() {
        for (Iterator<Appender<ILoggingEvent>> it = logger.iteratorForAppenders(); it.hasNext(); ) {
            if (it.next() instanceof BufferedStderrAppender buffered) {
                buffered.flush();
            }
        }
    }

    /** Waits (briefly) until the queued lines are written, so the last requests' lines are not lost. */
    @Override
    public void close() throws InterruptedException {
        queue.close(FLUSH_TIMEOUT);
    }
}
