package dev.compilerd.sandbox;

/** What a release's warm pool reports about itself, read at scrape time by the metrics (all 0 without a pool). */
public interface PoolView {
    /** Ready containers waiting now. */
    default int idle() {
        return 0;
    }

    /** Ready containers wanted now, for the current request rate. */
    default int target() {
        return 0;
    }

    /** Acquisitions served by an already started container. */
    default long hits() {
        return 0;
    }

    /** Acquisitions that had to start a container. */
    default long misses() {
        return 0;
    }

    /** Started containers removed without running anything. */
    default long discarded() {
        return 0;
    }
}
