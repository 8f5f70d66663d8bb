package dev.compilerd.compile;

import dev.compilerd.sandbox.Program;

/**
 * One /compile or /fmt request as the service needs it: the ?v= release ("" for the default), the program's source
 * (one file or txtar), whether to vet, whether to format it instead of running it (and how), and the request's exact
 * bytes (everything that decides its answer), which key the memo of repeats.
 */
public record Submission(String release, String source, boolean vet, Program.Format format, byte[] exact) {
    public Submission {
        format = format == null ? Program.Format.NONE : format;
    }

    /** A request to build and run the program. */
    public Submission(String release, String source, boolean vet, byte[] exact) {
        this(release, source, vet, Program.Format.NONE, exact);
    }
}
