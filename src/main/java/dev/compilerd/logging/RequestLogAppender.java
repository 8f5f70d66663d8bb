package dev.compilerd.logging;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Logback's asynchronous appender for the request log, set never to block: a full queue drops the line instead
 * of stalling a Jetty thread, and every dropped line is counted (compilerd_request_log_dropped_total). Thread-safe.
 */
public final class RequestLogAppender extends AsyncAppender {
    private final AtomicLong dropped = new AtomicLong();

    public RequestLogAppender() {
        setNeverBlock(true);
        setDiscardingThreshold(0); // keep every line until the queue is full
    }

    /** Checks for room and queues as one step (the worker only ever makes room), so the count is exact. */
    @Override
    protected synchronized void append(ILoggingEvent event) {
        if (getRemainingCapacity() == 0) {
            dropped.incrementAndGet();
            return;
        }
        super.append(event);
    }

    /** Lines dropped since start because the queue was full. */
    public long dropped() {
        return dropped.get();
    }
}
