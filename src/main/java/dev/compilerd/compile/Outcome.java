package dev.compilerd.compile;

import dev.compilerd.sandbox.SandboxException;
import dev.compilerd.sandbox.SandboxUnavailableException;
import java.io.IOException;

/**
 * Every way a /compile request can end: its label (in metrics and the request log), its HTTP status, and
 * whether its answer may be cached. The program's own doing is always a 200; the host's failures are 500, or
 * 503 with Retry-After when they will pass.
 */
public enum Outcome {
    OK("ok", 200, true),
    EXIT_NONZERO("exit-nonzero", 200, true),
    COMPILE_ERROR("compile-error", 200, true),
    /** The runner or the server refused the program's files (names, count): Errors, as the playground does. */
    INVALID("invalid", 200, true),
    OUTPUT_TOO_LARGE("output-too-large", 200, true),
    TIMEOUT("timeout", 200, false),
    BUILD_TIMEOUT("build-timeout", 200, false),
    /** The container ended without a trusted result (memory, a broken sandbox): the program's doing. */
    KILLED("killed", 200, false),
    /** The program ended at its process limit; how far a process bomb got depends on timing, so never cached. */
    PROCESS_LIMIT("process-limit", 200, false),
    /** The runner could not start the built program. */
    RUN_ERROR("run-error", 200, false),
    CACHED("cached", 200, false),
    /** Answered with the result of an identical program that was running at the same time. */
    COALESCED("coalesced", 200, false),
    TOO_LARGE("too-large", 400, false),
    BAD_REQUEST("bad-request", 400, false),
    READ_ERROR("read-error", 400, false),
    METHOD_NOT_ALLOWED("method-not-allowed", 405, false),
    /** The client went away while queued: logged as 499 (nginx's word for it); a 503 goes to the closed socket. */
    ABANDONED("abandoned", 499, false),
    BUSY("busy", 503, false),
    SHUTTING_DOWN("shutting-down", 503, false),
    SANDBOX_UNAVAILABLE("sandbox-unavailable", 503, false),
    SANDBOX_ERROR("sandbox-error", 500, false),
    INTERNAL_ERROR("internal-error", 500, false);

    private final String label;
    private final int status;
    private final boolean cacheable;

    Outcome(String label, int status, boolean cacheable) {
        this.label = label;
        this.status = status;
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

    public int status() {
        return status;
    }

    /** Whether the same request always produces this answer, so it may be kept. */
    public boolean cacheable() {
        return cacheable;
    }

    /** Whether the client is told when to come back (every 503). */
    public boolean retryAfter() {
        return status == 503;
    }
}
