package dev.compilerd.logging;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Logback's asynchronous appender for the request log, set never to block: a full queue drops the line instead
 * of stalling a Jetty thread, and every dropped line is counted (compilerd_request_log_dropped_total). A line
 * reserves a place before it is queued and frees it once written, so the count is exact without a lock on the
 * hot path. Thread-safe.
 */
public final class RequestLogAppender extends AsyncAppender {
    private final AtomicInteger room = new AtomicInteger();
    private final LongAdder dropped = new LongAdder();

    public RequestLogAppender() {
        setNeverBlock(true);
        setDiscardingThreshold(0); // keep every line until the queue is full
    }

    @Override
    public void start() {
        room.set(getQueueSize());
        super.start();
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (room.getAndDecrement() <= 0) {
            room.incrementAndGet();
            dropped.increment();
            return;
        }
        super.append(event); // a place is reserved, so the queue has room and the offer cannot fail
    }

    /** Writes through {@code appender}, giving the line's place back once it is written. */
    @Override
    public void addAppender(Appender<ILoggingEvent> appender) {
        Releasing r = new Releasing(appender);
        r.setContext(getContext());
        r.start();
        super.addAppender(r);
    }

    /** Lines dropped since start because the queue was full. */
    public long dropped() {
        return dropped.sum();
    }

    /** Forwards to a shared appender (never stops it: other loggers write there too) and frees a place. */
    private final class Releasing extends UnsynchronizedAppenderBase<ILoggingEvent> {
        private final Appender<ILoggingEvent> next;

        Releasing(Appender<ILoggingEvent> next) {
            this.next = next;
            setName("releasing-" + next.getName());
        }

        @Override
        protected void append(ILoggingEvent event) {
            try {
                next.doAppend(event);
            } finally {
                room.incrementAndGet();
            }
        }
    }
}
