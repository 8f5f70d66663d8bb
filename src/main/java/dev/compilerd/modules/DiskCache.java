package dev.compilerd.modules;

import com.google.common.base.Ticker;
import com.google.common.hash.Hashing;
import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The module proxy's files on disk, bounded in bytes, least recently used out first; an entry may expire after a TTL.
 * Each server process gets its own fresh directory (mode 0700, removed by {@link #close}), and only files this
 * instance wrote completely (to a temporary file, then renamed) are in its index: a file that is damaged on disk, or
 * that someone else put there, is never served (each read checks size and SHA-256). Thread-safe; disk I/O happens
 * outside the index's lock.
 */
final class DiskCache implements AutoCloseable {
    /** Every file costs at least one block of the file system, so tiny entries count for what they occupy. */
    static final long BLOCK_BYTES = 4096;
    /** An entry that never expires (a version's files). */
    static final Duration FOREVER = Duration.ZERO;
    private static final Logger LOG = LoggerFactory.getLogger(DiskCache.class);

    /** What a hit returns: the upstream's status (200, or a not-found kept for the TTL) and the body. */
    record Hit(int status, byte[] body) {}

    private record Entry(Path file, int status, long size, byte[] sha256, boolean expires, long expiresAt, long weight) {}

    private final Path dir;
    private final long maxBytes;
    private final Ticker ticker;
    private final LinkedHashMap<String, Entry> index = new LinkedHashMap<>(64, 0.75f, true);
    private final AtomicLong names = new AtomicLong();
    private long weight;

    /** Makes this process's own directory under {@code parent} (created if missing). */
    DiskCache(Path parent, long maxBytes, Ticker ticker) throws IOException {
        Files.createDirectories(parent);
        this.dir = Files.createTempDirectory(parent, "compilerd-modules-");
        this.maxBytes = maxBytes;
        this.ticker = ticker;
    }

    Path directory() {
        return dir;
    }

    /** The entry for a key, or null when absent, expired, or damaged on disk (the latter two are dropped). */
    Hit get(String key) {
        Entry e;
        synchronized (this) {
            e = index.get(key);
            if (e != null && e.expires && ticker.read() - e.expiresAt >= 0) {
                drop(key, e);
                return null;
            }
        }
        if (e == null) {
            return null;
        }
        try {
            byte[] body = Files.readAllBytes(e.file);
            if (body.length == e.size && Arrays.equals(sha256(body), e.sha256)) {
                return new Hit(e.status, body);
            }
            LOG.warn("module cache file {} ({}) changed on disk; dropped", e.file.getFileName(), key);
        } catch (IOException gone) {
            // Evicted by another thread between the lookup and the read, or removed from under us: a miss.
        }
        synchronized (this) {
            drop(key, e);
        }
        return null;
    }

    /** Keeps a complete body under a key for the TTL ({@link #FOREVER}: until evicted); a body over the bound is not kept. */
    void put(String key, int status, byte[] body, Duration ttl) {
        long w = weight(body.length);
        if (w > maxBytes) {
            return;
        }
        Path file = dir.resolve(Hashing.sha256().hashString(key, StandardCharsets.UTF_8).toString().substring(0, 32)
                + "-" + names.incrementAndGet());
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "partial-", "");
            Files.write(tmp, body);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("module cache: could not write {}: {}", key, e.toString());
            deleteQuietly(tmp);
            return;
        }
        Entry entry = new Entry(file, status, body.length, sha256(body), !ttl.isZero(), ticker.read() + ttl.toNanos(), w);
        List<Path> evicted = new ArrayList<>();
        synchronized (this) {
            Entry old = index.put(key, entry);
            weight += w;
            if (old != null) {
                weight -= old.weight;
                evicted.add(old.file);
            }
            Iterator<Map.Entry<String, Entry>> eldest = index.entrySet().iterator();
            while (weight > maxBytes && eldest.hasNext()) {
                Entry out = eldest.next().getValue();
                eldest.remove();
                weight -= out.weight;
                evicted.add(out.file);
            }
        }
        evicted.forEach(DiskCache::deleteQuietly);
    }

    /** Bytes the cache holds on disk, counted in whole blocks as the file system spends them. */
    synchronized long bytes() {
        return weight;
    }

    synchronized int entries() {
        return index.size();
    }

    /** Removes this process's directory and everything in it. */
    @Override
    public void close() {
        synchronized (this) {
            index.clear();
            weight = 0;
        }
        try {
            if (Files.exists(dir)) {
                MoreFiles.deleteRecursively(dir, RecursiveDeleteOption.ALLOW_INSECURE);
            }
        } catch (IOException e) {
            LOG.warn("module cache: could not remove {}: {} {}", dir, e.toString(), Arrays.toString(e.getSuppressed()));
        }
    }

    /** Removes an entry if it is still the one the caller saw (not a newer one for the same key). Holds the lock. */
    private void drop(String key, Entry e) {
        if (index.remove(key, e)) {
            weight -= e.weight;
            deleteQuietly(e.file);
        }
    }

    private static long weight(long size) {
        return Math.max(1, (size + BLOCK_BYTES - 1) / BLOCK_BYTES) * BLOCK_BYTES;
    }

    private static byte[] sha256(byte[] body) {
        return Hashing.sha256().hashBytes(body).asBytes();
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("module cache: could not delete {}: {}", file, e.toString());
        }
    }
}
