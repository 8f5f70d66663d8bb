package dev.compilerd.http;

import dev.compilerd.compile.Outcome;

/** The request cannot be understood; the message goes back to the client in a 400's Errors. */
public class BadRequestException extends Exception {
    private static final long serialVersionUID = 1L;
    private final Outcome outcome;

    public BadRequestException(String message) {
        this(Outcome.BAD_REQUEST, message);
    }

    BadRequestException(Outcome outcome, String message) {
        super(message, null, false, false);
        this.outcome = outcome;
    }

    /** The body is over --max-request: the playground's "Program too large." */
    static BadRequestException tooLarge() {
        return new BadRequestException(Outcome.TOO_LARGE, "Program too large.");
    }

    /** How the request ended, for the log and the status. */
    Outcome outcome() {
        return outcome;
    }
}
