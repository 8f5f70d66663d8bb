package dev.compilerd.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.filter.Filter;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.ZoneId;

/**
 * Writes to stderr through a buffer that its one writer flushes when it runs out of lines ({@link #flush}), so a
 * burst of request lines costs one write(2) per {@value #BUFFER_BYTES} bytes instead of one per line. The buffer is
 * no larger than PIPE_BUF, so each write goes out in one piece on the pipe or socket a service's stderr is, and
 * holds only whole lines: other appenders' lines on the same stderr land between them, never inside one. A writer
 * that knows a line's fields hands them to {@link #appendFields}, which lays the line out without an event. Only for
 * a logger whose writer calls {@link #flush}. Thread-safe.
 */
public final class BufferedStderrAppender extends OutputStreamAppender<ILoggingEvent> {
    /** Linux's PIPE_BUF: writes up to this size are never interleaved with other writers' on a pipe. */
    static final int BUFFER_BYTES = 4096;

    private final OutputStream sink;
    /** Writes lines from their fields when the encoder is one it matches and no filter is attached; else null. */
    private volatile DirectLines direct;

    public BufferedStderrAppender() {
        this(new UnclosedStderr());
    }

    /** Writes to {@code sink} instead of stderr: for tests. */
    BufferedStderrAppender(OutputStream sink) {
        this.sink = sink;
    }

    @Override
    public void start() {
        direct = null;
        setImmediateFlush(false);
        setOutputStream(new BufferedOutputStream(sink, BUFFER_BYTES));
        super.start();
        matchEncoder();
    }

    @Override
    public void addFilter(Filter<ILoggingEvent> filter) {
        super.addFilter(filter);
        matchEncoder(); // a filter decides per event: lines then go through the event
    }

    @Override
    public void clearAllFilters() {
        super.clearAllFilters();
        matchEncoder();
    }

    private void matchEncoder() {
        direct = isStarted() && getCopyOfAttachedFiltersList().isEmpty()
                ? DirectLines.matching(getEncoder(), ZoneId.systemDefault()) : null;
    }

    /** Whether lines handed to {@link #appendFields} are written from their fields (the encoder is one it knows). */
    boolean writesDirect() {
        return direct != null;
    }

    /**
     * Writes one line from its fields, byte for byte what appending its event would write (message: {@code head},
     * then " key=value" for each field; the fields also as the event's key-value pairs), without making the event;
     * false when its encoder or the line's text is not one it writes this way, and the caller appends the event.
     * Throws when the line is lost (the appender stopped, or the write failed), so the caller can count it; {@code
     * keys} must not change between calls (checked once).
     */
    public boolean appendFields(Level level, String logger, String thread, long epochMillis, String head,
                                String[] keys, Object[] values) {
        DirectLines d = direct;
        if (d == null) {
            return false;
        }
        streamWriteLock.lock();
        try {
            if (!isStarted()) { // stopped after an event's write failed (logback stops it), or by a reconfiguration
                throw new IllegalStateException("the request log appender " + getName() + " is stopped");
            }
            if (!d.format(level, logger, thread, epochMillis, head, keys, values)) {
                return false;
            }
            getOutputStream().write(d.bytes(), 0, d.length());
            return true;
        } catch (IOException e) {
            addError("could not write the request log to stderr", e);
            throw new UncheckedIOException("could not write the request log to stderr", e);
        } finally {
            streamWriteLock.unlock();
        }
    }

    /** The message of a line written by {@link #appendFields}: {@code head}, then " key=value" for each field. */
    public static String message(String head, String[] keys, Object[] values) {
        StringBuilder b = new StringBuilder(head.length() + 16 * keys.length).append(head);
        for (int i = 0; i < keys.length; i++) {
            b.append(' ').append(keys[i]).append('=').append(values[i]);
        }
        return b.toString();
    }

    /** Writes the buffered lines now; a failure is reported as logback reports a failed write. */
    public void flush() {
        streamWriteLock.lock();
        try {
            if (isStarted()) {
                getOutputStream().flush();
            }
        } catch (IOException e) {
            addError("could not write the request log to stderr", e);
        } finally {
            streamWriteLock.unlock();
        }
    }

    /** stderr that a stopping appender flushes but never closes (other appenders and the JVM still use it). */
    private static final class UnclosedStderr extends OutputStream {
        private final FileOutputStream err = new FileOutputStream(FileDescriptor.err);

        @Override
        public void write(int b) throws IOException {
            err.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            err.write(b, off, len);
        }

        @Override
        public void close() {
            // fd 2 stays open
        }
    }
}
