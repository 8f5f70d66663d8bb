package dev.compilerd.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.compilerd.compile.BusyException;
import dev.compilerd.compile.CompileResponse;
import dev.compilerd.compile.Outcome;
import java.time.Duration;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Writes the answer to a /compile request that did not run: the playground's JSON {@code Errors} for what the
 * client can act on, a plain line for the host's own failures (Docker's words stay in the log), and Retry-After
 * where the outcome calls for it. Thread-safe.
 */
final class FailureReplies {
    /** Seconds a client is told to wait after a 503 that names no better time. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(2);

    private final ObjectMapper json;

    FailureReplies(ObjectMapper json) {
        this.json = json;
    }

    /** Answers with the playground's JSON carrying only {@code Errors}. */
    void errors(Response response, Callback callback, int status, String message) {
        Responses.send(response, callback, status, Responses.JSON, body(CompileResponse.error(message)));
    }

    /** Answers a request that ended in {@code failure} with the status and text its outcome calls for. */
    void failure(Response response, Callback callback, Outcome outcome, Throwable failure) {
        if (Statuses.retryAfter(outcome)) {
            Duration wait = failure instanceof BusyException b ? b.retryAfter() : RETRY_AFTER;
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(Math.max(1, wait.toSeconds())));
        }
        if (outcome == Outcome.TOO_LARGE || outcome == Outcome.READ_ERROR) {
            // The rest of the body was never read: this connection cannot carry another request.
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        int status = Statuses.sent(outcome);
        switch (outcome) {
            case TOO_LARGE -> errors(response, callback, status, CompileResponse.PROGRAM_TOO_LARGE);
            case BAD_REQUEST, METHOD_NOT_ALLOWED -> errors(response, callback, status, failure.getMessage());
            case READ_ERROR -> errors(response, callback, status, "could not read the request body: " + failure.getMessage());
            case BUSY -> errors(response, callback, status, "Server busy; try again shortly (or another server).");
            case ABANDONED -> errors(response, callback, status, "Client went away while queued.");
            case SHUTTING_DOWN -> errors(response, callback, status, "Server shutting down; try another server.");
            case SANDBOX_UNAVAILABLE -> Responses.text(response, callback, status, "sandbox unavailable; try again shortly\n");
            case SANDBOX_ERROR -> Responses.text(response, callback, status, "sandbox failure; try again later\n");
            default -> Responses.text(response, callback, 500, "internal error\n");
        }
    }

    private byte[] body(CompileResponse r) {
        try {
            return json.writeValueAsBytes(r);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize an error", e);
        }
    }
}
