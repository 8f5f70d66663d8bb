package dev.compilerd.http;

/**
 * What a client asked for, whichever of the three input forms it used: the program, ?withVet, and (for /fmt) whether
 * to fix imports as goimports does.
 */
public record CompileRequest(String body, boolean withVet, boolean imports) {
    public CompileRequest(String body, boolean withVet) {
        this(body, withVet, false);
    }
}
