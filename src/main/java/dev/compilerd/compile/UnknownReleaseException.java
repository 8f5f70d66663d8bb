package dev.compilerd.compile;

/** The request named a Go release this server does not offer; the message lists those it does (a 400). */
public final class UnknownReleaseException extends Exception implements Outcome.Failure {
    private static final long serialVersionUID = 1L;

    UnknownReleaseException(String message) {
        super(message, null, false, false);
    }

    @Override
    public Outcome outcome() {
        return Outcome.BAD_REQUEST;
    }
}
