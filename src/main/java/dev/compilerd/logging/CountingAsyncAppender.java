package dev.compilerd.logging;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import java.util.Iterator;
import java.util.concurrent.atomic.LongAdder;

/**
 * logback's AsyncAppender, which never blocks the logging thread and drops an event only when its queue is full, and
 * counts each one it drops: logback itself drops them silently. Thread-safe.
 */
public final class CountingAsyncAppender extends AsyncAppender {
    private final LongAdder dropped = new LongAdder();
    private final Object offering = new Object();

    /** Never blocks; keeps events of every level until the queue is full (logback drops INFO at 80% by default). */
    public CountingAsyncAppender() {
        setNeverBlock(true);
        setDiscardingThreshold(0);
    }

    /** One event at a time between the look at the queue and the offer, so every drop is the one counted here. */
    @Override
    protected void append(ILoggingEvent event) {
        synchronized (offering) {
            if (getRemainingCapacity() == 0) {
                dropped.increment();
                return;
            }
            super.append(event);
        }
    }

    /** Events dropped since start because the queue was full. */
    public long dropped() {
        return dropped.sum();
    }

    /** What the counting appenders attached to {@code logger} dropped (0 when logback does not serve it). */
    public static long droppedBy(org.slf4j.Logger logger) {
        long n = 0;
        if (logger instanceof ch.qos.logback.classic.Logger l) {
            for (Iterator<Appender<ILoggingEvent>> it = l.iteratorForAppenders(); it.hasNext(); ) {
                if (it.next() instanceof CountingAsyncAppender a) {
                    n += a.dropped();
                }
            }
        }
        return n;
    }
}
