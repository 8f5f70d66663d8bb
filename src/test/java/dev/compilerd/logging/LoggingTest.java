package dev.compilerd.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

    /** A downstream appender that holds the writer until released, to fill the queue. */
    static final class Stuck extends AppenderBase<ILoggingEvent> {
        final CountDownLatch release = new CountDownLatch(1);
        final List<String> written = new CopyOnWriteArrayList<>();

        @Override
        protected void append(ILoggingEvent e) {
            try {
                release.await();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            written.add(e.getFormattedMessage());
        }
    }

    @Test
    void requestAppenderNeverBlocksAndCountsEveryLineItDrops() {
        Stuck stuck = new Stuck();
        stuck.setContext(context);
        stuck.start();
        RequestLogAppender appender = new RequestLogAppender();
        appender.setContext(context);
        appender.setQueueSize(2);
        appender.addAppender(stuck);
        appender.start();
        logger.addAppender(appender);

        logger.info("first"); // taken by the worker, which then waits on the stuck appender
        await().until(() -> appender.getNumberOfElementsInQueue() == 0);
        for (int i = 0; i < 10; i++) {
            logger.info("line {}", i); // "first" still holds a place until written: 1 fits, 9 are dropped, none blocks
        }

        assertThat(appender.dropped()).isEqualTo(9);
        stuck.release.countDown();
        await().until(() -> stuck.written.size() == 2);
        assertThat(stuck.written).containsExactly("first", "line 0");
        logger.info("after");
        await().until(() -> stuck.written.size() == 3); // places are given back as lines are written
        appender.stop();
    }
}
