package dev.compilerd.compile;

import dev.compilerd.config.Values;
import dev.compilerd.sandbox.RunResult;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Maps a run's result to the playground's response, and says whether that response may be cached. */
public final class ResponseMapper {
    /** Added to errors that come from importing a module the sandbox cannot download. */
    static final String STDLIB_ONLY = "\n\nOnly the Go standard library is available: the sandbox has no network,"
            + " so third-party modules cannot be downloaded.";
    private static final Pattern MISSING_MODULE = Pattern.compile(
            "no required module provides package|cannot find module providing package|module lookup disabled|is not in std");
    private static final Pattern FAILED_TEST = Pattern.compile("(?m)^--- FAIL: ");

    private final int maxOutputBytes;
    private final long memoryBytes;

    public ResponseMapper(int maxOutputBytes, long memoryBytes) {
        this.maxOutputBytes = maxOutputBytes;
        this.memoryBytes = memoryBytes;
    }

    /** A response together with whether the same request will always produce it. */
    public record Mapped(CompileResponse response, boolean cacheable, String outcome) {}

    public Mapped map(RunResult r) {
        String vetErrors = r.vetErrors();
        boolean vetOK = r.vetRan() && r.vetOK();
        if (r.killed()) {
            return new Mapped(new CompileResponse("Program was killed: it ran out of memory (limit "
                    + Values.formatBytes(memoryBytes) + ") or killed the sandbox.", null, r.exitCode(), r.isTest(), 0,
                    vetErrors, vetOK), false, "killed");
        }
        if (r.phase() != RunResult.Phase.RUN) {
            if (r.timedOut()) {
                return new Mapped(CompileResponse.error(CompileResponse.TIMEOUT), false, "build-timeout");
            }
            String errors = r.errors();
            if (MISSING_MODULE.matcher(errors).find()) {
                errors = errors.stripTrailing() + STDLIB_ONLY;
            }
            return new Mapped(new CompileResponse(errors, null, 0, r.isTest(), 0, vetErrors, vetOK), true,
                    r.phase() == RunResult.Phase.SETUP ? "invalid" : "compile-error");
        }
        if (!r.errors().isEmpty() && !r.timedOut()) {
            // The runner could not run the built program (say, the pids limit): show why, never cache it.
            return new Mapped(new CompileResponse(r.errors(), null, 0, r.isTest(), 0, vetErrors, vetOK), false,
                    "run-error");
        }
        Events.Decoded d = Events.from(r.stdout(), r.stderr(), maxOutputBytes);
        List<Event> events = new ArrayList<>(d.events());
        boolean tooLarge = d.tooLarge() || r.outputTooLarge();
        int failed = r.isTest() ? (int) FAILED_TEST.matcher(d.stdoutText()).results().count() : 0;
        if (!r.signal().isEmpty() && !r.timedOut() && !tooLarge) {
            events.add(new Event("signal: " + r.signal() + "\n", "stderr", 0));
        }
        String errors = r.timedOut() ? CompileResponse.TIMEOUT : tooLarge ? CompileResponse.OUTPUT_TOO_LARGE : "";
        String outcome = r.timedOut() ? "timeout" : tooLarge ? "output-too-large" : r.exitCode() == 0 ? "ok" : "exit-" + r.exitCode();
        return new Mapped(new CompileResponse(errors, events, r.timedOut() || tooLarge ? 0 : r.exitCode(), r.isTest(),
                failed, vetErrors, vetOK), !r.timedOut(), outcome);
    }
}
