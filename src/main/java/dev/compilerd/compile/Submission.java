package dev.compilerd.compile;

import dev.compilerd.sandbox.Bench;
import dev.compilerd.sandbox.Program;

/**
 * One /compile or /fmt request as the service needs it: the ?v= release ("" for the default), the program's source
 * (one file or txtar), whether to vet, the request's exact bytes (everything that decides its answer), which key the
 * memo of repeats, whether to run its benchmarks on the real clock (null: no), and whether to format it instead of
 * running it (and how).
 */
public record Submission(String release, String source, boolean vet, byte[] exact, Bench bench, Program.Format format) {
    public Submission {
        format = format == null ? Program.Format.NONE : format;
    }

    /** A request to run the program as the playground does. */
    public Submission(String release, String source, boolean vet, byte[] exact) {
        this(release, source, vet, exact, null, Program.Format.NONE);
    }

    /** A request to run the program, its benchmarks on the real clock when {@code bench} is set. */
    public Submission(String release, String source, boolean vet, byte[] exact, Bench bench) {
        this(release, source, vet, exact, bench, Program.Format.NONE);
    }
}
