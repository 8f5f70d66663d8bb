package dev.compilerd.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

/** Log escaping, and the lines the two shipped configurations write (the text one and the VM's JSON one). */
class LoggingTest {
    private static final String REQUESTS = "dev.compilerd.requests";
    private static final long TIME = Instant.parse("2026-11-22T23:11:13.217Z").toEpochMilli();

    @Test
    void untrustedTextBecomesOneVisibleBoundedLine() {
        assertThat(LogText.escape("line\nforged INFO line\r\u001b[31m\tx\\")).isEqualTo(
                "line\\nforged INFO line\\r\\u001b[31m\\tx\\\\");
        assertThat(LogText.escape("a".repeat(600), 10)).isEqualTo("aaaaaaaaaa…(590 more)");
        assertThat(LogText.escape(null)).isEmpty();
    }

    @Test
    void jsonLinesAreOneObjectEachWithCloudLoggingsFieldsAndTheEventsPairs() throws Exception {
        String line = shipped("/logback-json.xml", c -> generalEncoder(c).apply(warning(c)));

        assertThat(line).endsWith("\n").doesNotContain("\r");
        assertThat(line.strip()).doesNotContain("\n");
        JsonNode j = new ObjectMapper().readTree(line);
        assertThat(j.get("severity").asText()).isEqualTo("WARNING");
        assertThat(j.get("message").asText()).isEqualTo("two\nlines here");
        assertThat(j.get("status").asInt()).isEqualTo(503);
        assertThat(j.get("status").isNumber()).isTrue();
        assertThat(j.get("outcome").asText()).isEqualTo("busy");
        assertThat(j.get("logger").asText()).isEqualTo(REQUESTS);
        assertThat(j.get("thread").asText()).isEqualTo("http-7");
        assertThat(Instant.parse(j.get("time").asText()).toEpochMilli()).isEqualTo(TIME);
    }

    @Test
    void jsonRequestLinesCarryTheFieldsInTheMessageAndAsFieldsOfTheirOwn() throws Exception {
        String line = shipped("/logback-json.xml", c -> requestEncoder(c).apply(request(c)));

        JsonNode j = new ObjectMapper().readTree(line);
        assertThat(j.get("severity").asText()).isEqualTo("INFO");
        assertThat(j.get("message").asText())
                .isEqualTo("POST /compile status=200 cache=hit outcome=cached ms=3 container=-");
        assertThat(j.get("status").asInt()).isEqualTo(200);
        assertThat(j.get("ms").isNumber()).isTrue();
        assertThat(j.get("cache").asText()).isEqualTo("hit");
        assertThat(j.get("container").asText()).isEqualTo("-");
        assertThat(j.get("time").asText()).isEqualTo("2026-11-22T23:11:13.217Z");
    }

    @Test
    void textLinesAreOneReadableLineWithTheRequestFieldsAfterTheMessage() throws Exception {
        String request = shipped("/logback.xml", c -> requestEncoder(c).apply(request(c)));
        String other = shipped("/logback.xml", c -> generalEncoder(c).apply(warning(c)));

        assertThat(request).matches("\\d\\d:\\d\\d:\\d\\d\\.217 \\[http-7\\] INFO  requests - "
                + "POST /compile status=200 cache=hit outcome=cached ms=3 container=-\n");
        assertThat(other).matches("\\d\\d:\\d\\d:\\d\\d\\.217 \\[http-7\\] WARN  requests - two\nlines here\n");
    }

    /** What {@code write} makes with a context configured from the shipped file {@code resource}. */
    private static String shipped(String resource, Function<LoggerContext, byte[]> write) throws Exception {
        LoggerContext c = new LoggerContext();
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(c);
        joran.doConfigure(LoggingTest.class.getResource(resource));
        try {
            return new String(write.apply(c), StandardCharsets.UTF_8);
        } finally {
            c.stop();
        }
    }

    /** The encoder of the appender every logger but the request log writes through. */
    private static Function<ILoggingEvent, byte[]> generalEncoder(LoggerContext c) {
        OutputStreamAppender<ILoggingEvent> a = (OutputStreamAppender<ILoggingEvent>)
                c.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
        return a.getEncoder()::encode;
    }

    /** The encoder of the appender the request log's asynchronous appender writes through. */
    private static Function<ILoggingEvent, byte[]> requestEncoder(LoggerContext c) {
        CountingAsyncAppender async = (CountingAsyncAppender) c.getLogger(REQUESTS).getAppender("REQUESTS");
        OutputStreamAppender<ILoggingEvent> a = (OutputStreamAppender<ILoggingEvent>)
                async.getAppender("REQUEST_LINES");
        return a.getEncoder()::encode;
    }

    private static LoggingEvent warning(LoggerContext c) {
        LoggingEvent e = new LoggingEvent("x", c.getLogger(REQUESTS), Level.WARN, "two\nlines {}", null,
                new Object[] {"here"});
        e.setTimeStamp(TIME);
        e.setThreadName("http-7");
        e.addKeyValuePair(new KeyValuePair("status", 503));
        e.addKeyValuePair(new KeyValuePair("outcome", "busy"));
        return e;
    }

    /** A request line as RequestLog logs it. */
    private static LoggingEvent request(LoggerContext c) {
        LoggingEvent e = new LoggingEvent("x", c.getLogger(REQUESTS), Level.INFO, "POST /compile", null, null);
        e.setTimeStamp(TIME);
        e.setThreadName("http-7");
        e.addKeyValuePair(new KeyValuePair("status", 200));
        e.addKeyValuePair(new KeyValuePair("cache", "hit"));
        e.addKeyValuePair(new KeyValuePair("outcome", "cached"));
        e.addKeyValuePair(new KeyValuePair("ms", 3L));
        e.addKeyValuePair(new KeyValuePair("container", "-"));
        return e;
    }
}
