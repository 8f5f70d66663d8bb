package dev.compilerd.compile;

import dev.compilerd.sandbox.SandboxException;
import dev.compilerd.sandbox.SandboxUnavailableException;
import java.io.IOException;

/**
 * Every way a /compile request can end: its label (in metrics and the request log) and whether its answer may be
 * cached. The http package says which status each is (the program's own doing is always a 200).
 */
public enum Outcome {
    OK("ok", true),
    EXIT_NONZERO("exit-nonzero", true),
    COMPILE_ERROR("compile-error", true),
    /** The runner or the server refused the program's files (names, count): Errors, as the playground does. */
    INVALID("invalid", true),
    OUTPUT_TOO_LARGE("output-too-large", true),
    TIMEOUT("timeout", false),
    BUILD_TIMEOUT("build-timeout", false),
    /** The container ended without a trusted result (memory, a broken sandbox): the program's doing. */
    KILLED("killed", false),
    /** The program ended at its process limit; how far a process bomb got depends on timing, so never cached. */
    PROCESS_LIMIT("process-limit", false),
    /** The runner could not start the built program. */
    RUN_ERROR("run-error", false),
    /** The module proxy's upstream failed a fetch of the build: the answer says so, and nothing about the program. */
    MODULE_PROXY_ERROR("module-proxy-error", false),
    CACHED("cached", false),
    /** Answered with the result of an identical program that was running at the same time. */
    COALESCED("coalesced", false),
    TOO_LARGE("too-large", false),
    BAD_REQUEST("bad-request", false),
    READ_ERROR("read-error", false),
    METHOD_NOT_ALLOWED("method-not-allowed", false),
    /** The client went away while queued. */
    ABANDONED("abandoned", false),
    BUSY("busy", false),
    SHUTTING_DOWN("shutting-down", false),
    SANDBOX_UNAVAILABLE("sandbox-unavailable", false),
    SANDBOX_ERROR("sandbox-error", false),
    INTERNAL_ERROR("internal-error", false);

    private final String label;
    private final boolean cacheable;

    Outcome(String label, boolean cacheable) {
        this.label = label;
        this.cacheable = cacheable;
    }

    /** A failure that knows which outcome it is (bad requests, busy, abandoned). */
    public interface Failure {
        Outcome outcome();
    }

    /** The outcome a request that ended in {@code t} has. */
    public static Outcome of(Throwable t) {
        if (t instanceof Failure f) {
            return f.outcome();
        }
        if (t instanceof SandboxUnavailableException) {
            return SANDBOX_UNAVAILABLE;
        }
        if (t instanceof SandboxException) {
            return SANDBOX_ERROR;
        }
        if (t instanceof InterruptedException) {
            return SHUTTING_DOWN;
        }
        if (t instanceof IOException) {
            return READ_ERROR;
        }
        return INTERNAL_ERROR;
    }

    public String label() {
        return label;
    }

    /** Whether the same request always produces this answer, so it may be kept. */
    public boolean cacheable() {
        return cacheable;
    }
}
