package dev.compilerd.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.AppenderBase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.helpers.NOPLogger;

/** The request log's appender: the logging thread never waits, lines keep their order, and every drop is counted. */
class CountingAsyncAppenderTest {
    private final LoggerContext context = context();
    private final Logger logger = context.getLogger("dev.compilerd.requests");
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<String> written = new CopyOnWriteArrayList<>();

    private static LoggerContext context() {
        LoggerContext c = new LoggerContext();
        c.setMDCAdapter(new LogbackMDCAdapter()); // an event needs one to be appended
        return c;
    }

    @AfterEach
    void stop() {
        release.countDown();
        context.stop();
    }

    @Test
    void aStuckWriterNeverBlocksTheLoggerAndEveryLineItDropsIsCounted() {
        CountingAsyncAppender async = start(2);

        logger.info("first"); // taken by the writer, which then waits (a slow terminal, a full pipe)
        await().until(() -> async.getNumberOfElementsInQueue() == 0 && written.isEmpty());
        for (int i = 0; i < 10; i++) {
            logger.info("line {}", i); // 2 fit, 8 are dropped, none blocks
        }

        assertThat(async.dropped()).isEqualTo(8);
        assertThat(CountingAsyncAppender.droppedBy(logger)).isEqualTo(8);
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> written.size() == 3);
        assertThat(written).containsExactly("first", "line 0", "line 1");
        logger.info("after"); // room again once lines are taken
        context.stop(); // stopping writes what is queued
        assertThat(written).endsWith("after");
        assertThat(async.dropped()).isEqualTo(8);
    }

    @Test
    void infoLinesAreKeptUntilTheQueueIsFull() {
        CountingAsyncAppender async = start(10); // logback's own AsyncAppender drops INFO at 80% by default
        for (int i = 0; i < 10; i++) {
            logger.info("line {}", i);
        }
        assertThat(async.dropped()).isZero();
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> written.size() == 10);
    }

    @Test
    void aLoggerWithoutTheAppenderOrNotServedByLogbackDropsNothing() {
        assertThat(CountingAsyncAppender.droppedBy(logger)).isZero();
        assertThat(CountingAsyncAppender.droppedBy(NOPLogger.NOP_LOGGER)).isZero();
    }

    /** The appender with a queue of {@code capacity} in front of a writer that waits for {@link #release}. */
    private CountingAsyncAppender start(int capacity) {
        AppenderBase<ILoggingEvent> slow = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
                try {
                    release.await();
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                written.add(e.getFormattedMessage());
            }
        };
        slow.setContext(context);
        slow.start();
        CountingAsyncAppender async = new CountingAsyncAppender();
        async.setContext(context);
        async.setQueueSize(capacity);
        async.addAppender(slow);
        async.start();
        logger.addAppender(async);
        logger.setAdditive(false);
        logger.setLevel(Level.INFO);
        return async;
    }
}
