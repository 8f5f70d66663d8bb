package dev.compilerd.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

class LoggingTest {
    private final LoggerContext context = context();
    private final Logger logger = context.getLogger("dev.compilerd.requests");

    private static LoggerContext context() {
        LoggerContext c = new LoggerContext();
        c.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        return c;
    }

    @Test
    void untrustedTextBecomesOneVisibleBoundedLine() {
        assertThat(LogText.escape("line\nforged INFO line\r\u001b[31m\tx\\")).isEqualTo(
                "line\\nforged INFO line\\r\\u001b[31m\\tx\\\\");
        assertThat(LogText.escape("a".repeat(600), 10)).isEqualTo("aaaaaaaaaa…(590 more)");
        assertThat(LogText.escape(null)).isEmpty();
    }

    @Test
    void jsonLayoutWritesOneObjectPerLineWithCloudLoggingsFieldsAndTheEventsPairs() throws Exception {
        LoggingEvent e = new LoggingEvent("x", logger, Level.WARN, "two\nlines {}", null, new Object[] {"here"});
        e.addKeyValuePair(new KeyValuePair("status", 503));
        e.addKeyValuePair(new KeyValuePair("outcome", "busy"));

        String line = new JsonLayout().doLayout(e);

        assertThat(line).endsWith("\n").doesNotContain("\r");
        assertThat(line.strip()).doesNotContain("\n");
        JsonNode j = new ObjectMapper().readTree(line);
        assertThat(j.get("severity").asText()).isEqualTo("WARNING");
        assertThat(j.get("message").asText()).isEqualTo("two\nlines here");
        assertThat(j.get("status").asInt()).isEqualTo(503);
        assertThat(j.get("outcome").asText()).isEqualTo("busy");
        assertThat(j.get("logger").asText()).isEqualTo("dev.compilerd.requests");
        assertThat(j.has("time")).isTrue();
    }

    @Test
    void logQueueNeverBlocksWritesInOrderAndCountsEveryLineItDrops() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> written = new CopyOnWriteArrayList<>();
        LogQueue<String> queue = new LogQueue<>("test-log", 2, Duration.ofMillis(5), line -> {
            try {
                release.await(); // a stuck writer (a slow terminal, a full pipe)
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            written.add(line);
        }, () -> { });

        assertThat(queue.offer("first")).isTrue(); // taken by the writer, which then waits
        await().until(() -> queue.waiting() == 0);
        int taken = 0;
        for (int i = 0; i < 10; i++) {
            taken += queue.offer("line " + i) ? 1 : 0; // 2 fit, 8 are dropped, none blocks
        }

        assertThat(taken).isEqualTo(2);
        assertThat(queue.dropped()).isEqualTo(8);
        release.countDown();
        await().until(() -> written.size() == 3);
        assertThat(written).containsExactly("first", "line 0", "line 1");
        assertThat(queue.offer("after")).isTrue(); // room again once lines are taken
        queue.close(Duration.ofSeconds(5)); // close writes what is queued
        assertThat(written).endsWith("after");
        assertThat(queue.offer("too late")).isFalse();
        assertThat(queue.dropped()).isEqualTo(9);
    }

    @Test
    void aLineTheWriterCannotWriteIsCountedAndTheWriterGoesOn() throws Exception {
        List<String> written = new CopyOnWriteArrayList<>();
        LogQueue<String> queue = new LogQueue<>("test-log", 10, Duration.ofMillis(5), line -> {
            if (line.equals("bad")) {
                throw new IllegalStateException("cannot format");
            }
            written.add(line);
        }, () -> { });
        queue.offer("bad");
        queue.offer("good");
        queue.close(Duration.ofSeconds(5));
        assertThat(written).containsExactly("good");
        assertThat(queue.dropped()).isEqualTo(1);
    }

    @Test
    void aWriterAsleepAfterAQuietSpellWakesForTheNextLine() throws Exception {
        List<String> written = new CopyOnWriteArrayList<>();
        LogQueue<String> queue = new LogQueue<>("test-log", 10, Duration.ofMillis(1), written::add, () -> { });
        try {
            queue.offer("before");
            await().until(() -> queue.asleep() && written.size() == 1); // then no line for a few polls
            assertThat(written).containsExactly("before");
            queue.offer("after");
            await().atMost(Duration.ofSeconds(2)).until(() -> written.size() == 2);
            assertThat(written).containsExactly("before", "after");
        } finally {
            queue.close(Duration.ofSeconds(5));
        }
        assertThat(queue.dropped()).isZero();
    }

    @Test
    void linesOfferedWhileTheWriterFallsAsleepAreAllWritten() throws Exception {
        List<String> written = new CopyOnWriteArrayList<>();
        LogQueue<String> queue = new LogQueue<>("test-log", 10_000, Duration.ofMillis(1), written::add, () -> { });
        int threads = 4;
        int lines = 300;
        Thread[] offerers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            offerers[t] = new Thread(() -> {
                java.util.Random random = new java.util.Random(id);
                for (int i = 0; i < lines; i++) {
                    // Pauses around the writer's few polls: it keeps going to sleep while lines arrive.
                    java.util.concurrent.locks.LockSupport.parkNanos(random.nextInt(8_000_000));
                    queue.offer(id + ":" + i);
                }
            });
            offerers[t].start();
        }
        for (Thread t : offerers) {
            t.join();
        }
        try {
            // Without close: a line stranded by a missed wake-up would never be written.
            await().atMost(Duration.ofSeconds(5)).until(() -> written.size() == threads * lines);
        } finally {
            queue.close(Duration.ofSeconds(5));
        }
        assertThat(queue.dropped()).isZero();
    }
}
