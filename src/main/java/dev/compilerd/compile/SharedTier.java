package dev.compilerd.compile;

import java.time.Duration;
import java.util.Optional;

/** A second cache tier shared by the fleet; lookups are bounded in time and never fail a request. */
public interface SharedTier {
    /** The cached response for {@code key}, or empty on a miss, an error, a timeout or a bad value. */
    Optional<byte[]> get(String key);

    /** Stores a response in the background; failures are counted, never thrown. */
    void put(String key, byte[] response);

    /**
     * Marks {@code key} as this server's for at most {@code ttl} (a program it runs, a turn to retire), unless another
     * server's mark is there: then the claim is not {@link Claim#mine() mine}. A store that cannot answer gives a
     * claim that is mine, so nothing waits on a store that is not there.
     */
    Claim claim(String key, Duration ttl);

    /** Whether some server's mark for {@code key} is there now; false when the store cannot answer. */
    boolean claimed(String key);

    /** A mark that one server runs a program; closing it (once or more) takes the mark away if it is still ours. */
    record Claim(boolean mine, Runnable release) implements AutoCloseable {
        /** Ours, with nothing in the store to take away: the store is off, failing or skipped. */
        public static final Claim UNSHARED = new Claim(true, () -> {});
        /** Another server's. */
        public static final Claim THEIRS = new Claim(false, () -> {});

        @Override
        public void close() {
            release.run();
        }
    }

    /** No shared tier: --shared-cache not given. */
    SharedTier NONE = new SharedTier() {
        @Override
        public Optional<byte[]> get(String key) {
            return Optional.empty();
        }

        @Override
        public void put(String key, byte[] response) {}

        @Override
        public Claim claim(String key, Duration ttl) {
            return Claim.UNSHARED;
        }

        @Override
        public boolean claimed(String key) {
            return false;
        }
    };
}
