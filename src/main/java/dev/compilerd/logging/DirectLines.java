package dev.compilerd.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.Context;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a log line whose fields are known straight to bytes, exactly as the encoder it stands in for would (the
 * text pattern of logback.xml, or {@link JsonLayout}), so a request line skips the event, the layout and the charset
 * encoder: over a third of the request-log writer's time per line, which a cache hit pays for. It declines what it
 * cannot write byte for byte the same (text outside printable ASCII, or that JSON would escape; a JSON time outside
 * the years 0000-9999). One writer at a time.
 */
final class DirectLines {
    /** The one text pattern written directly: logback.xml's LINE. */
    static final String TEXT_PATTERN = "%d{HH:mm:ss.SSS} [%thread] %-5level %logger{0} - %msg%n";
    private static final DateTimeFormatter TEXT_SECOND = DateTimeFormatter.ofPattern("HH:mm:ss.");
    private static final DateTimeFormatter JSON_SECOND = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");
    /** Charsets that write printable ASCII as the same bytes. */
    private static final Set<Charset> ASCII_AS_ASCII = Set.of(StandardCharsets.UTF_8, StandardCharsets.US_ASCII,
            StandardCharsets.ISO_8859_1);
    /** Where a configuration's conversionRule elements land (logback 1.5 keeps two). */
    private static final List<String> RULE_REGISTRIES = List.of(CoreConstants.PATTERN_RULE_REGISTRY,
            CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS);
    private static final byte[] NEWLINE = CoreConstants.LINE_SEPARATOR.getBytes(StandardCharsets.US_ASCII);
    /** 10000-01-01T00:00:00Z: from here on Instant.toString writes a sign and more year digits. */
    private static final long YEAR_10000_MILLIS = 253_402_300_800_000L;

    private final boolean json;
    private final ZoneId zone;
    private byte[] buf = new byte[512];
    private int len;
    private long second = Long.MIN_VALUE;
    private byte[] secondText;
    private String plainLogger;
    private String plainHead;
    private String[] plainKeys;

    private DirectLines(boolean json, ZoneId zone) {
        this.json = json;
        this.zone = zone;
    }

    /**
     * The direct writer for {@code encoder}'s output, or null when its lines are not ones this writes: only these two
     * encoder classes exactly, writing ASCII as ASCII, with no conversion rule of the configuration's own in play.
     */
    static DirectLines matching(Encoder<?> encoder, ZoneId zone) {
        if (encoder == null || encoder.getClass() != PatternLayoutEncoder.class
                && encoder.getClass() != LayoutWrappingEncoder.class) {
            return null;
        }
        LayoutWrappingEncoder<?> w = (LayoutWrappingEncoder<?>) encoder; // PatternLayoutEncoder extends it
        Charset charset = w.getCharset() == null ? Charset.defaultCharset() : w.getCharset(); // null: String.getBytes()
        if (!ASCII_AS_ASCII.contains(charset) || customRules(w.getContext())) {
            return null;
        }
        if (w instanceof PatternLayoutEncoder p && TEXT_PATTERN.equals(p.getPattern())) {
            return new DirectLines(false, zone);
        }
        if (w.getClass() == LayoutWrappingEncoder.class && w.getLayout() != null
                && w.getLayout().getClass() == JsonLayout.class) {
            return new DirectLines(true, ZoneOffset.UTC);
        }
        return null;
    }

    /** Whether the configuration registered conversion words of its own (which could redefine %d, %msg...). */
    private static boolean customRules(Context context) {
        for (String key : RULE_REGISTRIES) {
            if (context != null && context.getObject(key) instanceof Map<?, ?> m && !m.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Lays out one line into {@link #bytes()}; false (and nothing to write) when a string would need escaping or
     * encoding. Values are Integers, Longs or Strings.
     */
    boolean format(Level level, String logger, String thread, long epochMillis, String head, String[] keys,
                   Object[] values) {
        if (!plainShape(logger, head, keys) || !plain(thread)
                || json && (epochMillis < 0 || epochMillis >= YEAR_10000_MILLIS)) {
            return false;
        }
        for (Object v : values) {
            if (!(v instanceof Integer || v instanceof Long || v instanceof String s && plain(s))) {
                return false;
            }
        }
        len = 0;
        if (json) {
            json(level, logger, thread, epochMillis, head, keys, values);
        } else {
            text(level, logger, thread, epochMillis, head, keys, values);
        }
        put(NEWLINE);
        return true;
    }

    byte[] bytes() {
        return buf;
    }

    int length() {
        return len;
    }

    private void text(Level level, String logger, String thread, long epochMillis, String head, String[] keys,
                      Object[] values) {
        put(secondText(epochMillis));
        millis(epochMillis);
        put(" [").put(thread).put("] ");
        String name = level.toString();
        put(name);
        for (int i = name.length(); i < 5; i++) {
            put((byte) ' ');
        }
        put(' ').put(logger.substring(logger.lastIndexOf('.') + 1)).put(" - ");
        message(head, keys, values);
    }

    private void json(Level level, String logger, String thread, long epochMillis, String head, String[] keys,
                      Object[] values) {
        put("{\"severity\":\"").put(JsonLayout.severity(level)).put("\",\"message\":\"");
        message(head, keys, values);
        put("\",\"time\":\"").put(secondText(epochMillis)); // as Instant.toString: no fraction on a whole second
        if (Math.floorMod(epochMillis, 1000) != 0) {
            put('.');
            millis(epochMillis);
        }
        put("Z\",\"logger\":\"").put(logger).put("\",\"thread\":\"").put(thread).put('"');
        for (int i = 0; i < keys.length; i++) {
            put(",\"").put(keys[i]).put("\":");
            if (values[i] instanceof String) {
                put('"');
                value(values[i]);
                put('"');
            } else {
                value(values[i]);
            }
        }
        put('}');
    }

    /** The message, as {@link BufferedStderrAppender#message} makes it for an event. */
    private void message(String head, String[] keys, Object[] values) {
        put(head);
        for (int i = 0; i < keys.length; i++) {
            put(' ').put(keys[i]).put('=');
            value(values[i]);
        }
    }

    /** The line's time up to its second, formatted once per second. */
    private byte[] secondText(long epochMillis) {
        long s = Math.floorDiv(epochMillis, 1000);
        if (s != second) {
            LocalDateTime t = LocalDateTime.ofEpochSecond(s, 0, zone.getRules().getOffset(Instant.ofEpochSecond(s)));
            secondText = (json ? JSON_SECOND : TEXT_SECOND).format(t).getBytes(StandardCharsets.US_ASCII);
            second = s;
        }
        return secondText;
    }

    private void millis(long epochMillis) {
        int ms = (int) Math.floorMod(epochMillis, 1000);
        put((byte) ('0' + ms / 100)).put((byte) ('0' + ms / 10 % 10)).put((byte) ('0' + ms % 10));
    }

    private void value(Object v) {
        if (v instanceof String s) {
            put(s);
        } else {
            put(Long.toString(((Number) v).longValue())); // Integer or Long, as checked by format
        }
    }

    /** Whether the parts every line of a logger shares are plain: checked once for the same (constant) parts. */
    private boolean plainShape(String logger, String head, String[] keys) {
        if (logger == plainLogger && head == plainHead && keys == plainKeys) {
            return true;
        }
        for (String k : keys) {
            if (!plain(k)) {
                return false;
            }
        }
        if (!plain(logger) || !plain(head)) {
            return false;
        }
        plainLogger = logger;
        plainHead = head;
        plainKeys = keys;
        return true;
    }

    /** Printable ASCII that JSON writes as it is (no quote, no backslash): the same bytes in every style. */
    private static boolean plain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private DirectLines put(String s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            buf[len++] = (byte) s.charAt(i); // plain ASCII only: one byte per char
        }
        return this;
    }

    private DirectLines put(char c) {
        return put((byte) c);
    }

    private DirectLines put(byte b) {
        ensure(1);
        buf[len++] = b;
        return this;
    }

    private DirectLines put(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
        return this;
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }
}
