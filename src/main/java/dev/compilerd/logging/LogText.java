package dev.compilerd.logging;

/**
 * Makes text that a program or Docker influenced safe for one log line: control characters (CR, LF, ESC, ...)
 * become visible escapes and the length is capped, so nothing can forge or flood the server's log. Stateless.
 */
public final class LogText {
    /** The most characters of untrusted text one log line carries. */
    public static final int MAX_CHARS = 512;

    private LogText() {}

    public static String escape(String s) {
        return escape(s, MAX_CHARS);
    }

    /** Escapes control characters (as \n, \r, \t or \\u00XX) and keeps at most {@code max} characters of input. */
    public static String escape(String s, int max) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), max) + 16);
        int n = Math.min(s.length(), max);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        if (s.length() > max) {
            b.append("…(").append(s.length() - max).append(" more)");
        }
        return b.toString();
    }
}
