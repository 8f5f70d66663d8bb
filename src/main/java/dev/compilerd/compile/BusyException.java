package dev.compilerd.compile;

import java.time.Duration;

/** Thrown when a request cannot get a worker in time: the caller answers 503 with Retry-After. */
public final class BusyException extends Exception implements Outcome.Failure {
    /** The shortest Retry-After a busy answer gives: the header counts whole seconds. */
    static final Duration MIN_RETRY_AFTER = Duration.ofSeconds(1);
    private static final long serialVersionUID = 1L;
    private final transient Duration retryAfter;
    private final Outcome outcome;

    BusyException(String message, Duration retryAfter, Outcome outcome) {
        super(message, null, false, false);
        this.retryAfter = retryAfter;
        this.outcome = outcome;
    }

    /** When a retry here is likely to be admitted. */
    public Duration retryAfter() {
        return retryAfter;
    }

    @Override
    public Outcome outcome() {
        return outcome;
    }
}
