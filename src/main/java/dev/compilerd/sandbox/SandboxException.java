package dev.compilerd.sandbox;

/** The sandbox itself failed (Docker down, image missing, runner misbehaved): a 500, never cached. */
public class SandboxException extends Exception {
    private static final long serialVersionUID = 1L;

    public SandboxException(String message) {
        super(message);
    }

    public SandboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
