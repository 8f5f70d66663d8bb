package dev.compilerd.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes to stderr through a buffer that its one writer flushes when it runs out of lines ({@link #flush}), so a
 * burst of request lines costs one write(2) per {@value #BUFFER_BYTES} bytes instead of one per line. The buffer is
 * no larger than PIPE_BUF, so each write goes out in one piece on the pipe or socket a service's stderr is, and
 * holds only whole lines: other appenders' lines on the same stderr land between them, never inside one. Only for
 * a logger whose writer calls {@link #flush}. Thread-safe.
 */
public final class BufferedStderrAppender extends OutputStreamAppender<ILoggingEvent> {
    /** Linux's PIPE_BUF: writes up to this size are never interleaved with other writers' on a pipe. */
    static final int BUFFER_BYTES = 4096;

    @Override
    public void start() {
        setImmediateFlush(false);
        setOutputStream(new BufferedOutputStream(new UnclosedStderr(), BUFFER_BYTES));
        super.start();
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
