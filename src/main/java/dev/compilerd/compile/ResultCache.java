package dev.compilerd.compile;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import dev.compilerd.sandbox.Program;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * LRU cache of serialized responses, bounded by entry count AND bytes. Guava cannot combine maximumSize with
 * maximumWeight, so each entry weighs at least bytes/entries: the weight bound then implies both. Beside it, a
 * smaller memo of exact request bytes → response lets a repeated request skip parsing and hashing. Thread-safe.
 */
public final class ResultCache {
    /** The request memo may hold this fraction of the cache's bytes (its keys are whole request bodies). */
    static final int MEMO_SHARE = 8;

    private final Cache<String, byte[]> cache;
    private final Cache<Fingerprint, byte[]> memo;
    private final long minWeight;

    public ResultCache(long maxEntries, long maxBytes) {
        this.minWeight = maxEntries == 0 ? Long.MAX_VALUE : Math.max(1, (maxBytes + maxEntries - 1) / maxEntries);
        this.cache = CacheBuilder.newBuilder()
                .concurrencyLevel(4)
                .maximumWeight(maxEntries == 0 ? 0 : maxBytes)
                .weigher((String k, byte[] v) -> weight(v.length))
                .recordStats()
                .build();
        this.memo = CacheBuilder.newBuilder()
                .concurrencyLevel(4)
                .maximumWeight(maxEntries == 0 ? 0 : maxBytes / MEMO_SHARE)
                .weigher((Fingerprint k, byte[] v) -> weight((long) k.bytes.length + v.length))
                .recordStats()
                .build();
    }

    /** The exact bytes of a request (whatever decides its answer), compared by content. */
    private static final class Fingerprint {
        final byte[] bytes;
        private final int hash;

        Fingerprint(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Fingerprint f && f.hash == hash && Arrays.equals(f.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** The response a request with exactly these bytes got from this cache before, or null. */
    public byte[] getByRequest(byte[] request) {
        return memo.getIfPresent(new Fingerprint(request));
    }

    /** Caches a response under its key, and for the exact bytes of the request it answered. */
    public void put(String key, byte[] request, byte[] response) {
        put(key, response);
        rememberRequest(request, response);
    }

    /** Remembers that a request with exactly these bytes is answered by this (cached) response. */
    public void rememberRequest(byte[] request, byte[] response) {
        memo.put(new Fingerprint(request), response);
    }

    /** Hits on either index; a memo miss that the cache then answers counts once, as a hit. */
    public long hitCount() {
        return cache.stats().hitCount() + memo.stats().hitCount();
    }

    /** Lookups by key that found nothing (each then runs, or waits on a run). */
    public long missCount() {
        return cache.stats().missCount();
    }

    /** Entries dropped from either index to stay within its bounds. */
    public long evictionCount() {
        return cache.stats().evictionCount() + memo.stats().evictionCount();
    }

    /** The weight Guava charges for a response of {@code bytes}: never less than the per-entry share. */
    int weight(long bytes) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(bytes, minWeight));
    }

    /**
     * SHA-256 over the sandbox image's identity (its registry digest, else its id) and the normalized program (its
     * files, vet, and whether it is to be formatted rather than run): each
     * Go release keys by its own image, and a rebuilt image never serves old results.
     */
    public String key(String imageId, Program p) {
        Hasher h = Hashing.sha256().newHasher();
        h.putString(imageId, StandardCharsets.UTF_8).putByte((byte) 0).putBoolean(p.vet()).putInt(p.format().ordinal());
        for (Map.Entry<String, String> f : p.files().entrySet()) {
            byte[] name = f.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] body = f.getValue().getBytes(StandardCharsets.UTF_8);
            h.putInt(name.length).putBytes(name).putInt(body.length).putBytes(body);
        }
        return h.hash().toString();
    }

    public byte[] get(String key) {
        return cache.getIfPresent(key);
    }

    public void put(String key, byte[] response) {
        cache.put(key, response);
    }

    public long size() {
        return cache.size();
    }

    /** Bytes of responses held now (the real sizes, not the weights). */
    public long bytes() {
        return cache.asMap().values().stream().mapToLong(v -> v.length).sum();
    }
}
