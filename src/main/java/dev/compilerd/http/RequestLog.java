package dev.compilerd.http;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.compilerd.compile.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place every /compile request ends: counts its {@link Outcome} in compilerd_requests_total and queues one
 * log line for a writer thread, so a slow stderr never stalls Jetty's threads. When the queue is full the line is
 * dropped and counted (compilerd_request_log_dropped_total), never waited for. Thread-safe.
 */
final class RequestLog implements AutoCloseable {
    /** Lines waiting to be written before new ones are dropped. */
    static final int QUEUE = 16 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger("dev.compilerd.requests");

    private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(QUEUE);
    private final Map<Outcome, Counter> counts = new EnumMap<>(Outcome.class);
    private final Counter dropped;
    private final Thread writer;

    RequestLog(MeterRegistry meters) {
        for (Outcome o : Outcome.values()) {
            counts.put(o, Counter.builder("compilerd_requests").description("POST /compile requests by how they ended")
                    .tag("outcome", o.label()).register(meters));
        }
        dropped = Counter.builder("compilerd_request_log_dropped").description("request log lines dropped (queue full)")
                .register(meters);
        writer = new ThreadFactoryBuilder().setNameFormat("request-log").setDaemon(true).build().newThread(this::drain);
        writer.start();
    }

    /** Counts the outcome and queues its line; {@code cache} is hit, miss or coalesced. Never blocks. */
    void record(Outcome outcome, String cache, long millis, String container) {
        counts.get(outcome).increment();
        String line = "POST /compile status=" + outcome.status() + " cache=" + cache + " outcome=" + outcome.label()
                + " ms=" + millis + " container=" + (container.isEmpty() ? "-" : container);
        if (!lines.offer(line)) {
            dropped.increment();
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

    /** Stops the writer and writes what is still queued, so the last requests' lines are not lost. */
    @Override
    public void close() {
        writer.interrupt();
        try {
            writer.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String line;
        while ((line = lines.poll()) != null) {
            LOG.info(line);
        }
    }
}
