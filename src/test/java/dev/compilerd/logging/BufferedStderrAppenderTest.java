package dev.compilerd.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.event.KeyValuePair;

/** The appender writes a line from its fields exactly as it writes the line's event, and never loses one silently. */
class BufferedStderrAppenderTest {
    private static final String LOGGER = "dev.compilerd.requests";
    private static final String HEAD = "POST /compile";
    private static final String[] KEYS = {"status", "cache", "outcome", "ms", "container"};
    private static final Object[] VALUES = {200, "hit", "cached", 3L, "-"};

    private final LoggerContext context = context();

    private static LoggerContext context() {
        LoggerContext c = new LoggerContext();
        c.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter()); // an event needs one to be appended
        return c;
    }

    @ParameterizedTest
    @ValueSource(strings = {"/logback.xml", "/logback-json.xml"})
    void theShippedConfigurationsWriteRequestLinesFromTheirFields(String file) throws Exception {
        LoggerContext configured = new LoggerContext();
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(configured);
        joran.doConfigure(getClass().getResource(file));
        try {
            Logger requests = configured.getLogger(LOGGER);
            assertThat(requests.getAppender("REQUESTS")).isInstanceOfSatisfying(BufferedStderrAppender.class,
                    a -> assertThat(a.writesDirect()).as("%s: its encoder is one the direct lines match", file).isTrue());
        } finally {
            configured.stop();
        }
    }

    @Test
    void aLineFromItsFieldsIsTheBytesOfItsEventInBothStyles() {
        for (Supplier<Encoder<ILoggingEvent>> encoder : java.util.List.<Supplier<Encoder<ILoggingEvent>>>of(
                () -> TestEncoders.text(context), () -> TestEncoders.json(context))) {
            ByteArrayOutputStream direct = new ByteArrayOutputStream();
            BufferedStderrAppender a = appender(direct, encoder.get());
            assertThat(a.writesDirect()).isTrue();
            assertThat(a.appendFields(Level.INFO, LOGGER, "http-7", 1_795_386_991_450L, HEAD, KEYS, VALUES)).isTrue();
            a.flush();

            ByteArrayOutputStream viaEvent = new ByteArrayOutputStream();
            BufferedStderrAppender b = appender(viaEvent, encoder.get());
            b.doAppend(event());
            b.flush();

            assertThat(direct.toString(StandardCharsets.UTF_8)).isNotEmpty()
                    .isEqualTo(viaEvent.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aFilteredAppenderOrAnUnknownEncoderGetsEvents() {
        BufferedStderrAppender filtered = appender(new ByteArrayOutputStream(), TestEncoders.text(context));
        filtered.addFilter(new Filter<>() {
            @Override
            public FilterReply decide(ILoggingEvent event) {
                return FilterReply.NEUTRAL;
            }
        });
        assertThat(filtered.writesDirect()).isFalse();
        assertThat(filtered.appendFields(Level.INFO, LOGGER, "http-7", 0L, HEAD, KEYS, VALUES)).isFalse();
        filtered.clearAllFilters();
        assertThat(filtered.writesDirect()).isTrue();

        PatternLayoutEncoder other = new PatternLayoutEncoder();
        other.setContext(context);
        other.setPattern("%msg%n");
        other.start();
        assertThat(appender(new ByteArrayOutputStream(), other).writesDirect()).isFalse();
    }

    @Test
    void aLineThatCannotBeWrittenThrowsSoItIsCounted() {
        BufferedStderrAppender stopped = appender(new ByteArrayOutputStream(), TestEncoders.text(context));
        stopped.stop(); // as after an event's failed write, which logback answers by stopping the appender
        assertThatThrownBy(() -> stopped.appendFields(Level.INFO, LOGGER, "http-7", 0L, HEAD, KEYS, VALUES))
                .isInstanceOf(RuntimeException.class);

        BufferedStderrAppender broken = appender(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("stderr is gone");
            }
        }, TestEncoders.text(context));
        assertThatThrownBy(() -> {
            for (int i = 0; i < 1000; i++) { // lines reach the stream once the buffer is full
                broken.appendFields(Level.INFO, LOGGER, "http-7", 0L, HEAD, KEYS, VALUES);
            }
        }).isInstanceOf(UncheckedIOException.class);
    }

    private BufferedStderrAppender appender(OutputStream sink, Encoder<ILoggingEvent> encoder) {
        BufferedStderrAppender a = new BufferedStderrAppender(sink);
        a.setContext(context);
        a.setName("REQUESTS");
        a.setEncoder(encoder);
        a.start();
        return a;
    }

    private LoggingEvent event() {
        LoggingEvent e = new LoggingEvent(Logger.FQCN, context.getLogger(LOGGER), Level.INFO,
                BufferedStderrAppender.message(HEAD, KEYS, VALUES), null, null);
        e.setTimeStamp(1_795_386_991_450L);
        e.setThreadName("http-7");
        for (int i = 0; i < KEYS.length; i++) {
            e.addKeyValuePair(new KeyValuePair(KEYS[i], VALUES[i]));
        }
        return e;
    }
}
