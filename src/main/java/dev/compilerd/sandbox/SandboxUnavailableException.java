package dev.compilerd.sandbox;

/** The sandbox cannot run anything now for a reason that will pass (the Docker daemon is down): a 503, retry later. */
public class SandboxUnavailableException extends SandboxException {
    private static final long serialVersionUID = 1L;

    public SandboxUnavailableException(String message) {
        super(message);
    }
}
