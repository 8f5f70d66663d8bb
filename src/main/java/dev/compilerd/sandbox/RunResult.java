package dev.compilerd.sandbox;

import java.time.Duration;
import java.util.Map;

/**
 * What one run produced, as decoded from the runner's result or decided by the server: how it ended, the build
 * step, the program's run (stdout/stderr still in faketime playback framing), for a formatting request each file's
 * formatted source, and whether the module proxy's upstream failed a fetch of the build (the answer then says nothing
 * about the program alone). Immutable but for the arrays.
 */
public record RunResult(Ending ending, Build build, Run run, Map<String, Formatted> formatted, boolean moduleFailure,
                        String container) {

    /** How the run ended: the first three are the runner's word, the last two the server's. */
    public enum Ending {
        /** The runner refused the program's files (names, count). */
        SETUP,
        /** Vet or build failed or ran out of time; the program did not run. */
        BUILD,
        /** The program ran; {@link Run} says how it ended. */
        RUN,
        /** The container ended without a trusted result: out of memory, or the program broke its sandbox. */
        KILLED,
        /** The hard deadline removed the container. */
        DEADLINE,
        /** The files were formatted (or one could not be): {@link #formatted()} says how each ended. */
        FORMATTED
    }

    /** One file's formatted source, or the formatter's error for it. */
    public record Formatted(String body, String error) {
        public Formatted {
            body = body == null ? "" : body;
            error = error == null ? "" : error;
        }
    }

    /** The vet and build step. */
    public record Build(String errors, boolean timedOut, boolean isTest, boolean vetRan, boolean vetOK,
                        String vetErrors, Duration took) {
        public Build {
            errors = errors == null ? "" : errors;
            vetErrors = vetErrors == null ? "" : vetErrors;
            took = took == null ? Duration.ZERO : took;
        }

        static final Build NONE = new Build("", false, false, false, false, "", Duration.ZERO);
    }

    /**
     * The program's run. {@code errors} is set when the runner could not run the built program at all;
     * {@code processLimit} when it ended at its process limit (RLIMIT_NPROC); {@code usage} is what it cost (null
     * when the runner did not say); {@code realClock} when it ran its benchmarks on the real clock, each for
     * {@code benchtime}, and wrote raw output instead of playback frames.
     */
    public record Run(byte[] stdout, byte[] stderr, boolean outputTooLarge, boolean timedOut, int exitCode,
                      String signal, int processLimit, String errors, Duration took, Usage usage,
                      boolean realClock, String benchtime) {
        public Run {
            stdout = stdout == null ? new byte[0] : stdout;
            stderr = stderr == null ? new byte[0] : stderr;
            signal = signal == null ? "" : signal;
            errors = errors == null ? "" : errors;
            took = took == null ? Duration.ZERO : took;
            benchtime = benchtime == null ? "" : benchtime;
        }

        /** A run on fake time whose cost is not known. */
        public Run(byte[] stdout, byte[] stderr, boolean outputTooLarge, boolean timedOut, int exitCode,
                   String signal, int processLimit, String errors, Duration took) {
            this(stdout, stderr, outputTooLarge, timedOut, exitCode, signal, processLimit, errors, took, null, false, "");
        }

        static Run ended(int exitCode, Duration took) {
            return new Run(null, null, false, false, exitCode, "", 0, "", took);
        }
    }

    /** What a program cost, from the runner's own wait on it (rusage): CPU time, user + system, and peak RSS. */
    public record Usage(Duration cpu, long maxRssBytes) {}

    public RunResult {
        build = build == null ? Build.NONE : build;
        run = run == null ? Run.ended(0, Duration.ZERO) : run;
        formatted = formatted == null ? Map.of() : Map.copyOf(formatted);
    }

    /** A result without formatted files or module fetches. */
    public RunResult(Ending ending, Build build, Run run, String container) {
        this(ending, build, run, null, false, container);
    }

    /** This result, noting that the module proxy's upstream failed a fetch of its build. */
    public RunResult withModuleFailure() {
        return new RunResult(ending, build, run, formatted, true, container);
    }

    /** The hard deadline ended the container before it reported anything. */
    public static RunResult hardTimeout(String container, Duration elapsed) {
        return new RunResult(Ending.DEADLINE, null, Run.ended(-1, elapsed), container);
    }

    /** The container died without a trusted result; {@code dockerExit} is docker run's exit code. */
    public static RunResult killed(String container, int dockerExit, Duration elapsed) {
        return new RunResult(Ending.KILLED, null, Run.ended(dockerExit, elapsed), container);
    }
}
