package dev.compilerd.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.TimeZone;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

/** The direct writer must give the bytes the encoder it stands in for gives: compared line by line, both styles. */
class DirectLinesTest {
    private static final String LOGGER = "dev.compilerd.requests";
    private static final String HEAD = "POST /compile";
    private static final String[] KEYS = {"status", "cache", "outcome", "ms", "container"};
    private static final long[] TIMES = {
        1_795_386_991_450L, // an afternoon, mid-second
        1_795_386_991_000L, // a whole second: JSON's time has no fraction then
        1_795_386_991_007L, 1_795_386_991_070L, 1_795_386_991_999L, 1_795_386_992_001L,
        0L, 946_684_799_999L, 253_402_300_799_999L, // the epoch; the last millisecond of 1999, and of 9999
        1_772_953_199_999L, 1_772_953_200_000L, // New York's clocks go forward (2026-03-08T07:00Z) ...
        1_793_512_799_999L, 1_793_512_800_000L, // ... and back (2026-11-01T06:00Z)
    };
    private static final List<Object[]> VALUES = List.of(
            new Object[] {200, "hit", "cached", 0L, "-"},
            new Object[] {503, "miss", "busy", 12_345L, "compilerd-7f3a9c01d2e4b5a6"},
            new Object[] {200, "shared", "ok", -1L, "x"},
            new Object[] {500, "miss", "sandbox_error", Long.MAX_VALUE, ""},
            new Object[] {Integer.MIN_VALUE, "a=b c", "ok", Long.MIN_VALUE, "-"});

    private final LoggerContext context = new LoggerContext();
    private final Logger logger = context.getLogger(LOGGER);

    @Test
    void textLinesAreWhatTheLogbackPatternWrites() {
        assertSameBytes(() -> TestEncoders.text(context), ZoneId.of("UTC"));
        assertSameBytes(() -> TestEncoders.text(context), ZoneId.of("Asia/Kolkata")); // a half-hour offset
        assertSameBytes(() -> TestEncoders.text(context), ZoneId.of("America/New_York"));
    }

    @Test
    void jsonLinesAreWhatJsonLayoutWrites() {
        assertSameBytes(() -> TestEncoders.json(context), ZoneId.of("America/New_York")); // JSON's time is UTC whatever the zone
    }


    @Test
    void textThatWouldNeedEscapingOrEncodingIsLeftToTheEncoder() {
        DirectLines direct = DirectLines.matching(TestEncoders.text(context), ZoneId.systemDefault());
        for (String s : List.of("say \"hi\"", "back\\slash", "new\nline", "caf\u00e9", "tab\t")) {
            Object[] values = {200, "hit", "ok", 1L, s};
            assertThat(direct.format(Level.INFO, LOGGER, "http-1", 0L, HEAD, KEYS, values)).as(s).isFalse();
            assertThat(direct.format(Level.INFO, LOGGER, s, 0L, HEAD, KEYS, VALUES.get(0))).as(s).isFalse();
        }
        Object[] fraction = {200, "hit", "ok", 1.5, "-"};
        assertThat(direct.format(Level.INFO, LOGGER, "http-1", 0L, HEAD, KEYS, fraction))
                .as("a value that is not a whole number or a string").isFalse();
        DirectLines json = DirectLines.matching(TestEncoders.json(context), ZoneId.systemDefault());
        assertThat(json.format(Level.INFO, LOGGER, "http-1", 253_402_300_800_000L, HEAD, KEYS, VALUES.get(0)))
                .as("the year 10000, which Instant writes as +10000").isFalse();
        assertThat(json.format(Level.INFO, LOGGER, "http-1", -1L, HEAD, KEYS, VALUES.get(0))).isFalse();
    }

    @Test
    void otherEncodersAndFilteredAppendersGetEvents() {
        PatternLayoutEncoder other = new PatternLayoutEncoder();
        other.setContext(context);
        other.setPattern("%msg%n");
        other.start();
        assertThat(DirectLines.matching(other, ZoneId.systemDefault())).isNull();

        BufferedStderrAppender filtered = new BufferedStderrAppender();
        filtered.setContext(context);
        filtered.setEncoder(TestEncoders.text(context));
        filtered.addFilter(new Filter<>() {
            @Override
            public FilterReply decide(ILoggingEvent event) {
                return FilterReply.DENY;
            }
        });
        filtered.start();
        try {
            assertThat(filtered.appendFields(Level.INFO, LOGGER, "http-1", 0L, HEAD, KEYS, VALUES.get(0))).isFalse();
        } finally {
            filtered.stop();
        }
    }

    /** Compares in {@code zone}: the JVM's default zone while the encoder starts, which is what its %d uses. */
    private void assertSameBytes(Supplier<Encoder<ILoggingEvent>> encoders, ZoneId zone) {
        TimeZone saved = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone(zone));
        try {
            Encoder<ILoggingEvent> encoder = encoders.get();
            DirectLines direct = DirectLines.matching(encoder, zone);
            assertThat(direct).isNotNull();
            for (String thread : List.of("http-37", "qtp1-2", "main")) {
                for (long t : TIMES) {
                    for (Object[] values : VALUES) {
                        byte[] expected = encoder.encode(event(thread, t, values));
                        assertThat(direct.format(Level.INFO, LOGGER, thread, t, HEAD, KEYS, values)).isTrue();
                        byte[] actual = Arrays.copyOf(direct.bytes(), direct.length());
                        assertThat(new String(actual, StandardCharsets.UTF_8))
                                .as("%s at %d with %s", thread, t, Arrays.toString(values))
                                .isEqualTo(new String(expected, StandardCharsets.UTF_8));
                    }
                }
            }
        } finally {
            TimeZone.setDefault(saved);
        }
    }

    private LoggingEvent event(String thread, long epochMillis, Object[] values) {
        LoggingEvent e = new LoggingEvent(Logger.FQCN, logger, Level.INFO,
                BufferedStderrAppender.message(HEAD, KEYS, values), null, null);
        e.setTimeStamp(epochMillis);
        e.setThreadName(thread);
        for (int i = 0; i < KEYS.length; i++) {
            e.addKeyValuePair(new KeyValuePair(KEYS[i], values[i]));
        }
        return e;
    }
}
