package dev.compilerd.compile;

import dev.compilerd.sandbox.Bench;

/**
 * One /compile request as the service needs it: the ?v= release ("" for the default), the program's source (one
 * file or txtar), whether to vet, the request's exact bytes (everything that decides its answer), which key the
 * memo of repeats, and whether to run its benchmarks on the real clock (null: no).
 */
public record Submission(String release, String source, boolean vet, byte[] exact, Bench bench) {
    /** A request to run the program as the playground does. */
    public Submission(String release, String source, boolean vet, byte[] exact) {
        this(release, source, vet, exact, null);
    }
}
