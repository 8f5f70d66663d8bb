package dev.compilerd.http;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SLF4J line per request, written by its own thread so a slow stderr never stalls Jetty's I/O threads; when
 * the queue is full the caller waits rather than drop a line. Thread-safe.
 */
final class RequestLog {
    /** Lines waiting to be written before callers start to wait. */
    static final int QUEUE = 16 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(CompileHandler.class);

    private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(QUEUE);

    RequestLog() {
        Thread writer = new Thread(this::drain, "request-log");
        writer.setDaemon(true);
        writer.start();
        Runtime.getRuntime().addShutdownHook(new Thread(this::flush, "request-log-flush"));
    }

    /** Writes whatever is still queued; the JVM runs this on exit so the last requests' lines are not lost. */
    void flush() {
        String line;
        while ((line = lines.poll()) != null) {
            LOG.info(line);
        }
    }

    void log(int status, boolean hit, String outcome, long millis, String container) {
        String line = "POST /compile status=" + status + " cache=" + (hit ? "hit" : "miss") + " outcome=" + outcome
                + " ms=" + millis + " container=" + (container.isEmpty() ? "-" : container);
        if (!lines.offer(line)) {
            try {
                lines.put(line);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.info(line);
            }
        }
    }

    private void drain() {
        try {
            while (true) {
                LOG.info(lines.take());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
