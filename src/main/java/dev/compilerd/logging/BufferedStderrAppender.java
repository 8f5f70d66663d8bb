package dev.compilerd.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes to stderr through a buffer that its one writer flushes when it runs out of lines ({@link #flush}), so a
 * burst of request lines costs one write(2) per {@value #BUFFER_BYTES} bytes instead of one per line. The buffer is
 * no larger than PIPE_BUF, so each write is atomic on a pipe (journald) and never splits a line written by the
 * other appenders on the same stderr. Only for a logger whose writer calls {@link #flush}. Thread-safe.
 */
public final class BufferedStderrAppender extends OutputStreamAppender<ILoggingEvent> implements Flushable {
    /** Linux's PIPE_BUF: writes up to this size are never interleaved with other writers' on a pipe. */
    static final int BUFFER_BYTES = 4096;

    @Override
    public void start() {
        setImmediateFlush(false);
        setOutputStream(new BufferedOutputStream(new UnclosedStderr(), BUFFER_BYTES));
        super.start();
    }

    /** Writes the buffered lines now. */
    @Override
    public void flush() throws IOException {
        streamWriteLock.lock();
        try {
            if (isStarted()) {
                getOutputStream().flush();
            }
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
