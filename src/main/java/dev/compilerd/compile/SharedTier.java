package dev.compilerd.compile;

import java.util.Optional;

/** A second cache tier shared by the fleet; lookups are bounded in time and never fail a request. */
public interface SharedTier {
    /** The cached response for {@code key}, or empty on a miss, an error, a timeout or a bad value. */
    Optional<byte[]> get(String key);

    /** Stores a response in the background; failures are counted, never thrown. */
    void put(String key, byte[] response);

    /** No shared tier: --shared-cache not given. */
    SharedTier NONE = new SharedTier() {
        @Override
        public Optional<byte[]> get(String key) {
            return Optional.empty();
        }

        @Override
        public void put(String key, byte[] response) {}
    };
}
