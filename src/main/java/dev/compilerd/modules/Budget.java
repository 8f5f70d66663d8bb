package dev.compilerd.modules;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one program may still fetch through the proxy: bytes of module files served to it (from the cache or the
 * upstream alike, so whether a program fits does not depend on what other programs fetched before) and files asked for.
 * Thread-safe: the go command fetches in parallel.
 */
public final class Budget {
    private final long maxBytes;
    private final int maxFiles;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger files = new AtomicInteger();

    Budget(long maxBytes, int maxFiles) {
        this.maxBytes = maxBytes;
        this.maxFiles = maxFiles;
    }

    /** Counts one more request; false (and nothing counted) once the program has asked for its most files. */
    boolean takeFile() {
        return files.getAndUpdate(n -> n < maxFiles ? n + 1 : n) < maxFiles;
    }

    /** Counts a body of n bytes; false (and nothing counted) when it does not fit in what is left. */
    boolean takeBytes(long n) {
        long before = bytes.getAndUpdate(used -> used + n <= maxBytes ? used + n : used);
        return before + n <= maxBytes;
    }

    long maxBytes() {
        return maxBytes;
    }

    int maxFiles() {
        return maxFiles;
    }

    /** Bytes served to this program so far. */
    public long bytes() {
        return bytes.get();
    }

    /** Requests this program made so far (refused ones included). */
    public int files() {
        return files.get();
    }
}
