package dev.compilerd.sandbox;

import java.time.Duration;

/**
 * What a run produced, as decoded from the runner's bounded result: {@code stdout}/{@code stderr} are
 * still faketime playback-framed. {@code killed} means the container died without a result (memory, a signal).
 */
public record RunResult(
        Phase phase,
        String errors,
        boolean vetRan,
        boolean vetOK,
        String vetErrors,
        boolean isTest,
        byte[] stdout,
        byte[] stderr,
        boolean outputTooLarge,
        boolean timedOut,
        boolean killed,
        int exitCode,
        String signal,
        Duration build,
        Duration run,
        String container) {

    /** Where the run ended: invalid setup, a failed build, or a program that ran. */
    public enum Phase { SETUP, BUILD, RUN }

    public RunResult {
        errors = errors == null ? "" : errors;
        vetErrors = vetErrors == null ? "" : vetErrors;
        signal = signal == null ? "" : signal;
        stdout = stdout == null ? new byte[0] : stdout;
        stderr = stderr == null ? new byte[0] : stderr;
    }

    /** The hard deadline ended the container before it reported anything. */
    public static RunResult hardTimeout(String container, Duration elapsed) {
        return new RunResult(Phase.RUN, "", false, false, "", false, null, null, false, true, false, -1, "",
                Duration.ZERO, elapsed, container);
    }

    /** The container died without a result: out of memory, or the program killed the runner. */
    public static RunResult killed(String container, int dockerExit, Duration elapsed) {
        return new RunResult(Phase.RUN, "", false, false, "", false, null, null, false, false, true, dockerExit, "",
                Duration.ZERO, elapsed, container);
    }
}
