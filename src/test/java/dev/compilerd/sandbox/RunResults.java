package dev.compilerd.sandbox;

import java.time.Duration;

/** Results of programs that built and ran, as fakes and tests need them. */
public final class RunResults {
    private RunResults() {}

    /** The program built and ran. */
    public static RunResult ran(RunResult.Build build, RunResult.Run run, String container) {
        return new RunResult(RunResult.Ending.RUN, build, run, container);
    }

    /** A run that printed {@code stdout} (framed) and exited with {@code exitCode}. */
    public static RunResult.Run exited(byte[] stdout, int exitCode) {
        return new RunResult.Run(stdout, null, false, false, exitCode, "", 0, "", Duration.ZERO);
    }
}
