package dev.compilerd.http;

import dev.compilerd.compile.Outcome;

/**
 * The HTTP status of each way a /compile request ends: the program's own doing is always a 200; a bad request a 4xx;
 * the host's failures a 500, or a 503 with Retry-After when they will pass.
 */
final class Statuses {
    private Statuses() {}

    /** The status the request log records (499, nginx's word, for a client that went away while queued). */
    static int logged(Outcome o) {
        return switch (o) {
            case TOO_LARGE, BAD_REQUEST, READ_ERROR -> 400;
            case METHOD_NOT_ALLOWED -> 405;
            case ABANDONED -> 499;
            case BUSY, SHUTTING_DOWN, SANDBOX_UNAVAILABLE -> 503;
            case SANDBOX_ERROR, INTERNAL_ERROR -> 500;
            default -> 200;
        };
    }

    /** The status sent: a 503 goes to the closed socket of a client that went away. */
    static int sent(Outcome o) {
        return o == Outcome.ABANDONED ? 503 : logged(o);
    }

    /** Whether the client is told when to come back (every 503). */
    static boolean retryAfter(Outcome o) {
        return sent(o) == 503;
    }
}
