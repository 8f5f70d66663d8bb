package dev.compilerd.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.read.ListAppender;
import dev.compilerd.compile.Outcome;
import dev.compilerd.logging.CountingAsyncAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** One event per request with its fields as key-value pairs, through logback.xml's request appender. */
class RequestLogTest {
    private final Logger logger = (Logger) LoggerFactory.getLogger(RequestLog.LOGGER);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @Test
    void eachRequestIsOneEventWithItsFieldsAndOneLineInTheConfiguredLog() {
        ListAppender<ILoggingEvent> list = new ListAppender<>();
        list.setContext(logger.getLoggerContext());
        list.start();
        logger.addAppender(list);
        long before = System.currentTimeMillis();
        try {
            RequestLog log = new RequestLog(meters);
            log.record(Outcome.CACHED, "hit", 3, "");
            log.record(Outcome.OK, "miss", 412, "compilerd-0123456789abcdef");
        } finally {
            logger.detachAppender(list);
        }

        assertThat(list.list).hasSize(2);
        ILoggingEvent hit = list.list.get(0);
        assertThat(hit.getTimeStamp()).isBetween(before, System.currentTimeMillis());
        assertThat(hit.getThreadName()).isEqualTo(Thread.currentThread().getName());
        assertThat(hit.getKeyValuePairs()).extracting(kv -> kv.key, kv -> kv.value).containsExactly(
                tuple("status", 200), tuple("cache", "hit"),
                tuple("outcome", "cached"), tuple("ms", 3L),
                tuple("container", "-"));
        assertThat(line(hit)).endsWith(" - POST /compile status=200 cache=hit outcome=cached ms=3 container=-\n");
        assertThat(line(list.list.get(1))).endsWith(
                " - POST /compile status=200 cache=miss outcome=ok ms=412 container=compilerd-0123456789abcdef\n");
        assertThat(meters.get("compilerd_request_log_dropped").functionCounter().count()).isZero();
        assertThat(meters.get("compilerd_requests").tag("outcome", "cached").counter().count()).isEqualTo(1);
    }

    @Test
    void linesTheLogCouldNotQueueAreCountedInTheMetric() {
        CountDownLatch release = new CountDownLatch(1);
        AppenderBase<ILoggingEvent> stuck = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
                try {
                    release.await();
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        stuck.setContext(logger.getLoggerContext());
        stuck.start();
        CountingAsyncAppender small = new CountingAsyncAppender();
        small.setContext(logger.getLoggerContext());
        small.setQueueSize(1);
        small.addAppender(stuck);
        small.start();
        logger.addAppender(small);
        try {
            RequestLog log = new RequestLog(meters);
            log.record(Outcome.OK, "miss", 1, ""); // taken by the stuck writer
            await().until(() -> small.getNumberOfElementsInQueue() == 0);
            for (int i = 0; i < 5; i++) {
                log.record(Outcome.CACHED, "hit", 0, ""); // one fits, four are dropped
            }
            assertThat(meters.get("compilerd_request_log_dropped").functionCounter().count()).isEqualTo(4);
            assertThat(meters.get("compilerd_requests").tag("outcome", "cached").counter().count()).isEqualTo(5);
        } finally {
            logger.detachAppender(small);
            release.countDown();
            small.stop();
        }
    }

    /** The line logback.xml's request appender writes for {@code event}. */
    private String line(ILoggingEvent event) {
        CountingAsyncAppender async = (CountingAsyncAppender) logger.getAppender("REQUESTS");
        OutputStreamAppender<ILoggingEvent> lines = (OutputStreamAppender<ILoggingEvent>)
                async.getAppender("REQUEST_LINES");
        return new String(lines.getEncoder().encode(event), StandardCharsets.UTF_8);
    }
}
