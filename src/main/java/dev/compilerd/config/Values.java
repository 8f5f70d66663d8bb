package dev.compilerd.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the human forms of durations ("5s", "30m", "1h30m", "250ms", "0") and sizes ("64KiB", "512m"). */
public final class Values {
    private Values() {}

    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmg]i?b?|b)?", Pattern.CASE_INSENSITIVE);

    /** Parses a duration such as 5s, 30m, 1h30m, 250ms or 0, as Go's time.ParseDuration does for these units. */
    public static Duration duration(String text) {
        String s = text.trim();
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = DURATION_PART.matcher(s);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find() && m.start() == end) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            });
            end = m.end();
        }
        if (end == 0 || end != s.length()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (write it like 500ms, 5s, 30m or 1h)");
        }
        return total;
    }

    /** Parses a byte size: plain bytes, or with k/m/g (KiB, MiB, GiB: all powers of 1024). */
    public static long bytes(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size (write it like 65536, 64KiB or 512MiB)");
        }
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        long scale = switch (unit.charAt(0)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), scale);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
    }

    /** Formats a duration the way the flags take it back. */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0";
        }
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        long s = d.toSeconds();
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        return s % 60 == 0 ? s / 60 + "m" : s + "s";
    }

    /** Formats a size in the largest binary unit that divides it. */
    public static String formatBytes(long n) {
        if (n > 0 && n % (1L << 30) == 0) {
            return (n >> 30) + "GiB";
        }
        if (n > 0 && n % (1L << 20) == 0) {
            return (n >> 20) + "MiB";
        }
        return n > 0 && n % 1024 == 0 ? (n >> 10) + "KiB" : Long.toString(n);
    }
}
