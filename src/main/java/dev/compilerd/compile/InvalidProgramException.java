package dev.compilerd.compile;

/** The user's program cannot be run as submitted; the message is shown to the user in Errors. */
public class InvalidProgramException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidProgramException(String message) {
        super(message);
    }
}
