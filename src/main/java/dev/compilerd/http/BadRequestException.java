package dev.compilerd.http;

/** The request cannot be understood; the message goes back to the client in a 400's Errors. */
public class BadRequestException extends Exception {
    private static final long serialVersionUID = 1L;

    public BadRequestException(String message) {
        super(message, null, false, false);
    }
}
