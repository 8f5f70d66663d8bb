package dev.compilerd.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Reads a request body with a hard byte cap and a deadline for the whole of it: what has already arrived without
 * blocking (on an I/O thread), the rest by blocking (on a worker thread). Stateless and thread-safe.
 */
final class BodyReader {
    private final int maxBytes;
    private final Duration deadline;

    BodyReader(int maxBytes, Duration deadline) {
        this.maxBytes = maxBytes;
        this.deadline = deadline;
    }

    /** The part of a body that has arrived, and whether it is all of it. */
    record Start(byte[] bytes, boolean complete) {}

    /** Takes what has arrived without blocking; a declared or received length over the cap is too large. */
    Start start(Request request) throws BadRequestException {
        if (request.getLength() > maxBytes) {
            throw BadRequestException.tooLarge();
        }
        Content.Chunk chunk = request.read();
        if (chunk == null || Content.Chunk.isFailure(chunk)) {
            return new Start(new byte[0], false);
        }
        try {
            ByteBuffer data = chunk.getByteBuffer();
            byte[] first = new byte[Math.min(data.remaining(), maxBytes + 1)];
            data.get(first);
            if (first.length > maxBytes) {
                throw BadRequestException.tooLarge();
            }
            // With a Content-Length, all of it is all there is: Jetty may hand the end of the body over as an
            // empty chunk of its own, and waiting for it would send every cache hit to another thread.
            return new Start(first, chunk.isLast() || first.length == request.getLength());
        } finally {
            chunk.release();
        }
    }

    /** Blocks for the rest of the body after {@code start}; the whole body must arrive within the deadline. */
    byte[] rest(Request request, Start start) throws IOException, BadRequestException {
        byte[] prefix = start.bytes();
        if (start.complete()) {
            return prefix;
        }
        long length = request.getLength(); // start() has refused a declared length over the cap
        int size = length >= 0 ? (int) length + 1 : Math.min(maxBytes + 1, 16 * 1024);
        byte[] buf = Arrays.copyOf(prefix, Math.max(size, prefix.length + 1));
        int n = prefix.length;
        // A body that has not fully arrived by the deadline fails the blocked read: no trickling client pins a thread.
        Scheduler.Task timer = request.getComponents().getScheduler().schedule(
                () -> request.fail(new TimeoutException("request body not received within " + deadline.toSeconds()
                        + " s")), deadline.toMillis(), TimeUnit.MILLISECONDS);
        try (InputStream in = Request.asInputStream(request)) {
            int r;
            while ((r = in.read(buf, n, buf.length - n)) != -1) {
                n += r;
                if (n > maxBytes) {
                    throw BadRequestException.tooLarge();
                }
                if (n == buf.length) {
                    buf = Arrays.copyOf(buf, Math.min(maxBytes + 1, buf.length * 2));
                }
            }
        } finally {
            timer.cancel();
        }
        return n == buf.length ? buf : Arrays.copyOf(buf, n);
    }
}
