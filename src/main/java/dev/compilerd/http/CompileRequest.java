package dev.compilerd.http;

/**
 * What a client asked for, whichever of the three input forms it used: the program, ?withVet, (for /fmt) whether to
 * fix imports as goimports does, and the bench fields as the body said them (null: not given), which {@link
 * RequestParser#bench} combines with the query's.
 */
public record CompileRequest(String body, boolean withVet, boolean imports, Boolean bench, String benchPattern,
                             String benchRun) {
    /** A request without bench or formatting fields in its body. */
    public CompileRequest(String body, boolean withVet) {
        this(body, withVet, false, null, null, null);
    }

    /** A request whose body may ask for goimports, without bench fields. */
    public CompileRequest(String body, boolean withVet, boolean imports) {
        this(body, withVet, imports, null, null, null);
    }

    /** A request with bench fields in its body. */
    public CompileRequest(String body, boolean withVet, Boolean bench, String benchPattern, String benchRun) {
        this(body, withVet, false, bench, benchPattern, benchRun);
    }
}
