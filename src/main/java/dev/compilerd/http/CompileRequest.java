package dev.compilerd.http;

/**
 * What a client asked for, whichever of the three input forms it used; the bench fields are what the body said
 * (null: not given), which {@link RequestParser#bench} combines with the query's.
 */
public record CompileRequest(String body, boolean withVet, Boolean bench, String benchPattern, String benchRun) {
    /** A request without bench fields in its body. */
    public CompileRequest(String body, boolean withVet) {
        this(body, withVet, null, null, null);
    }
}
