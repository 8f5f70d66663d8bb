package dev.compilerd.compile;

import dev.compilerd.config.Values;
import dev.compilerd.sandbox.RunResult;
import dev.compilerd.sandbox.SandboxInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Maps a run's result to the playground's response and its {@link Outcome}. Stateless and thread-safe. */
public final class ResponseMapper {
    /** Begins the hint added to errors that come from importing a module the sandbox does not have. */
    static final String NO_NETWORK = "\n\nThe sandbox has no network: only the Go standard library";
    private static final Pattern MISSING_MODULE = Pattern.compile(
            "no required module provides package|cannot find module providing package|module lookup disabled|is not in std");
    /** How the runner's build-timeout answer starts when it goes on to say why (its buildTimeoutError). */
    static final String BUILD_TIMEOUT_WHY = "timeout running go build: ";
    private static final Pattern FAILED_TEST = Pattern.compile("(?m)^--- FAIL: ");

    private final int maxOutputBytes;
    private final long memoryBytes;
    private final boolean modulesFetched;

    public ResponseMapper(int maxOutputBytes, long memoryBytes) {
        this(maxOutputBytes, memoryBytes, false);
    }

    /** @param modulesFetched whether builds fetch modules through the module proxy (then no "no network" hint) */
    public ResponseMapper(int maxOutputBytes, long memoryBytes, boolean modulesFetched) {
        this.maxOutputBytes = maxOutputBytes;
        this.memoryBytes = memoryBytes;
        this.modulesFetched = modulesFetched;
    }

    /** The hint added to a missing module's error: which modules the release's image has. */
    static String missingModuleHint(SandboxInfo image) {
        List<String> modules = image.modules().stream().map(SandboxInfo.Module::path).toList();
        return NO_NETWORK + (modules.isEmpty() ? " is available."
                : " and these modules are available: " + String.join(", ", modules) + " (GET /version has their"
                + " versions).");
    }

    /** A response together with how the request ended. */
    public record Mapped(CompileResponse response, Outcome outcome) {}

    /**
     * The answer, with the run's {@link CompileResponse.Stats} when the runner reported them (not when the container
     * died without a trusted result, or the hard deadline removed it); never kept when the module proxy's upstream
     * failed a fetch of the build.
     *
     * @param image what the release's image offers, for the hint to a missing module
     */
    public Mapped map(RunResult r, SandboxInfo image) {
        Mapped m = withStats(r, answer(r, image));
        return r.moduleFailure() && m.outcome().cacheable() ? new Mapped(m.response(), Outcome.MODULE_PROXY_ERROR) : m;
    }

    private static Mapped withStats(RunResult r, Mapped m) {
        return switch (r.ending()) {
            case KILLED, DEADLINE, FORMATTED -> m;
            case SETUP, BUILD -> new Mapped(m.response().with(new CompileResponse.Stats(r.build().took().toMillis(), 0,
                    0L, 0L), null, null), m.outcome());
            case RUN -> {
                RunResult.Run run = r.run();
                RunResult.Usage u = run.usage();
                CompileResponse.Stats stats = new CompileResponse.Stats(r.build().took().toMillis(), run.took().toMillis(),
                        u == null ? null : u.cpu().toMillis(), u == null ? null : u.maxRssBytes());
                yield new Mapped(m.response().with(stats, run.realClock() ? CompileResponse.REAL_CLOCK : null,
                        run.realClock() && !run.benchtime().isEmpty() ? run.benchtime() : null), m.outcome());
            }
        };
    }

    private Mapped answer(RunResult r, SandboxInfo image) {
        RunResult.Build b = r.build();
        String vetErrors = b.vetErrors();
        boolean vetOK = b.vetRan() && b.vetOK();
        switch (r.ending()) {
            case KILLED -> {
                return new Mapped(new CompileResponse("Program was killed: it ran out of memory (limit "
                        + Values.formatBytes(memoryBytes) + ") or ended its sandbox.", null, r.run().exitCode(),
                        b.isTest(), 0, vetErrors, vetOK), Outcome.KILLED);
            }
            case DEADLINE -> {
                return new Mapped(new CompileResponse(CompileResponse.TIMEOUT, List.of(), 0, b.isTest(), 0, vetErrors,
                        vetOK), Outcome.TIMEOUT);
            }
            case SETUP, BUILD -> {
                if (b.timedOut()) {
                    // The runner says why when it knows (an experiment the image did not prebuild).
                    String why = b.errors().startsWith(BUILD_TIMEOUT_WHY) ? b.errors() : CompileResponse.TIMEOUT;
                    return new Mapped(CompileResponse.error(why), Outcome.BUILD_TIMEOUT);
                }
                String errors = b.errors();
                if (!modulesFetched && MISSING_MODULE.matcher(errors).find()) {
                    errors = errors.stripTrailing() + missingModuleHint(image);
                }
                return new Mapped(new CompileResponse(errors, null, 0, b.isTest(), 0, vetErrors, vetOK),
                        r.ending() == RunResult.Ending.SETUP ? Outcome.INVALID : Outcome.COMPILE_ERROR);
            }
            default -> {
                return ran(r.run(), b.isTest(), vetErrors, vetOK);
            }
        }
    }

    private Mapped ran(RunResult.Run run, boolean isTest, String vetErrors, boolean vetOK) {
        if (!run.errors().isEmpty() && !run.timedOut()) {
            // The runner could not start the built program: show why, never cache it.
            return new Mapped(new CompileResponse(run.errors(), null, 0, isTest, 0, vetErrors, vetOK), Outcome.RUN_ERROR);
        }
        Events.Decoded d = run.realClock() ? Events.raw(run.stdout(), run.stderr(), maxOutputBytes)
                : Events.from(run.stdout(), run.stderr(), maxOutputBytes);
        List<Event> events = new ArrayList<>(d.events());
        boolean tooLarge = d.tooLarge() || run.outputTooLarge();
        int failed = isTest ? (int) FAILED_TEST.matcher(d.stdoutText()).results().count() : 0;
        if (run.processLimit() > 0 && !tooLarge) {
            events.add(new Event("too many processes: the program reached its limit of " + run.processLimit()
                    + " processes and threads\n", "stderr", 0));
        }
        if (!run.signal().isEmpty() && !run.timedOut() && !tooLarge) {
            events.add(new Event("signal: " + run.signal() + "\n", "stderr", 0));
        }
        String errors = run.timedOut() ? CompileResponse.TIMEOUT : tooLarge ? CompileResponse.OUTPUT_TOO_LARGE : "";
        Outcome outcome = run.timedOut() ? Outcome.TIMEOUT : tooLarge ? Outcome.OUTPUT_TOO_LARGE
                : run.exitCode() == 0 ? Outcome.OK : Outcome.EXIT_NONZERO;
        if (run.processLimit() > 0 && outcome.cacheable()) {
            outcome = Outcome.PROCESS_LIMIT;
        }
        return new Mapped(new CompileResponse(errors, events, run.timedOut() || tooLarge ? 0 : run.exitCode(), isTest,
                failed, vetErrors, vetOK), outcome);
    }
}
