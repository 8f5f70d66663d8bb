package dev.compilerd.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.compilerd.compile.Outcome;
import dev.compilerd.logging.BufferedStderrAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Iterator;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The request log's lines reach every appender: logback.xml's own written from fields, any other as an event. */
class RequestLogTest {
    @Test
    void anAppenderBesideTheConfiguredOneGetsTheWholeEvent() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(RequestLog.LOGGER);
        assertThat(hasBufferedAppender(logger)).as("logback.xml's request appender").isTrue();
        ListAppender<ILoggingEvent> list = new ListAppender<>();
        list.setContext(logger.getLoggerContext());
        list.start();
        logger.addAppender(list);
        Instant now = Instant.parse("2026-11-22T23:11:13.217Z");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try {
            RequestLog log = new RequestLog(meters, Clock.fixed(now, ZoneOffset.UTC));
            log.record(Outcome.CACHED, "hit", 3, "");
            log.record(Outcome.OK, "miss", 412, "compilerd-0123456789abcdef");
            log.close();
        } finally {
            logger.detachAppender(list);
        }

        assertThat(list.list).hasSize(2);
        ILoggingEvent hit = list.list.get(0);
        assertThat(hit.getFormattedMessage())
                .isEqualTo("POST /compile status=200 cache=hit outcome=cached ms=3 container=-");
        assertThat(hit.getTimeStamp()).isEqualTo(now.toEpochMilli());
        assertThat(hit.getThreadName()).isEqualTo(Thread.currentThread().getName());
        assertThat(hit.getKeyValuePairs()).extracting(kv -> kv.key, kv -> kv.value).containsExactly(
                tuple("status", 200), tuple("cache", "hit"),
                tuple("outcome", "cached"), tuple("ms", 3L),
                tuple("container", "-"));
        assertThat(list.list.get(1).getFormattedMessage()).isEqualTo(
                "POST /compile status=200 cache=miss outcome=ok ms=412 container=compilerd-0123456789abcdef");
        assertThat(meters.get("compilerd_request_log_dropped").functionCounter().count()).isZero();
        assertThat(meters.get("compilerd_requests").tag("outcome", "cached").counter().count()).isEqualTo(1);
    }

    private static boolean hasBufferedAppender(Logger logger) {
        for (Iterator<?> it = logger.iteratorForAppenders(); it.hasNext(); ) {
            if (it.next() instanceof BufferedStderrAppender) {
                return true;
            }
        }
        return false;
    }
}
