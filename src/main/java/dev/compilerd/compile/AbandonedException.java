package dev.compilerd.compile;

/** Thrown when the client went away while queued: no run is spent on it. */
public final class AbandonedException extends Exception implements Outcome.Failure {
    private static final long serialVersionUID = 1L;

    public AbandonedException() {
        super("client went away while queued", null, false, false);
    }

    @Override
    public Outcome outcome() {
        return Outcome.ABANDONED;
    }
}
