package dev.compilerd.config;

import java.time.Duration;

/** Collects the first failed check of the flags, so the message names one flag and its bound. Used once. */
final class Checks {
    private String failure;

    void that(boolean ok, String message) {
        if (!ok && failure == null) {
            failure = message;
        }
    }

    void range(String flag, long n, long min, long max) {
        that(n >= min && n <= max, "--" + flag + " must be between " + bound(flag, min) + " and " + bound(flag, max)
                + ", not " + bound(flag, n));
    }

    void positive(String flag, Duration d) {
        that(!d.isZero() && !d.isNegative(), "--" + flag + " must be above 0");
    }

    void nonEmpty(String flag, String s) {
        that(!s.isBlank(), "--" + flag + " must not be empty");
    }

    void done() throws ConfigException {
        if (failure != null) {
            throw new ConfigException(failure);
        }
    }

    private static String bound(String flag, long n) {
        boolean size = switch (flag) {
            case "max-request", "max-output", "memory", "tmpfs", "address-space", "cache-bytes",
                    "shared-cache-max-value", "module-fetch-bytes", "module-max-file", "module-cache-bytes" -> true;
            default -> false;
        };
        return size && n != Long.MAX_VALUE ? Values.formatBytes(n) : Long.toString(n);
    }
}
