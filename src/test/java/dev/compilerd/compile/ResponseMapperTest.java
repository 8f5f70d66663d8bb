package dev.compilerd.compile;

import static dev.compilerd.sandbox.PlaybackFrames.stream;
import static org.assertj.core.api.Assertions.assertThat;

import dev.compilerd.sandbox.RunResult;
import dev.compilerd.sandbox.RunResults;
import dev.compilerd.sandbox.SandboxInfo;
import dev.compilerd.sandbox.RunResult.Ending;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ResponseMapperTest {
    private static final long SECOND = 1_000_000_000L;

    private final ResponseMapper mapper = new ResponseMapper(64 * 1024, 512L << 20);
    private static final SandboxInfo IMAGE = new SandboxInfo("go1.27.4", java.util.List.of(
            new SandboxInfo.Module("golang.org/x/exp", "v0"), new SandboxInfo.Module("github.com/google/go-cmp", "v0.7.0")));

    @Test
    void successfulRunIsCacheableWithItsEventsAndStatusZero() {
        ResponseMapper.Mapped m = mapper.map(ran(stream().write(0, "hello\n").bytes(), new byte[0], 0), IMAGE);

        assertThat(m.response()).isEqualTo(new CompileResponse("", java.util.List.of(new Event("hello\n", "stdout", 0)),
                0, false, 0, "", false).with(new CompileResponse.Stats(0, 10, null, null), null, null));
        assertThat(m.outcome().cacheable()).isTrue();
        assertThat(m.outcome()).isEqualTo(Outcome.OK);
    }

    @Test
    void statusIsTheProgramsExitCode() {
        ResponseMapper.Mapped m = mapper.map(ran(new byte[0], stream().write(0, "bad\n").bytes(), 3), IMAGE);

        assertThat(m.response().status()).isEqualTo(3);
        assertThat(m.response().errors()).isEmpty();
        assertThat(m.response().events()).containsExactly(new Event("bad\n", "stderr", 0));
        assertThat(m.outcome().cacheable()).isTrue();
        assertThat(m.outcome()).isEqualTo(Outcome.EXIT_NONZERO);
    }

    @Test
    void compileErrorHasNoEventsAndIsCacheable() {
        ResponseMapper.Mapped m = mapper.map(built(Ending.BUILD, "./prog.go:3:1: syntax error\n", false), IMAGE);

        assertThat(m.response().errors()).isEqualTo("./prog.go:3:1: syntax error\n");
        assertThat(m.response().events()).isNull();
        assertThat(m.response().status()).isZero();
        assertThat(m.outcome().cacheable()).isTrue();
        assertThat(m.outcome()).isEqualTo(Outcome.COMPILE_ERROR);
    }

    @Test
    void invalidSetupIsReportedLikeACompileError() {
        ResponseMapper.Mapped m = mapper.map(built(Ending.SETUP, "duplicate file name \"a.go\"", false), IMAGE);

        assertThat(m.response().errors()).isEqualTo("duplicate file name \"a.go\"");
        assertThat(m.response().events()).isNull();
        assertThat(m.outcome()).isEqualTo(Outcome.INVALID);
    }

    @Test
    void missingThirdPartyModuleGetsTheStandardLibraryOnlyHint() {
        String goError = "prog.go:3:8: no required module provides package github.com/x/y; to add it:\n\tgo get github.com/x/y\n";

        ResponseMapper.Mapped m = mapper.map(built(Ending.BUILD, goError, false), IMAGE);

        assertThat(m.response().errors()).isEqualTo(goError.stripTrailing() + "\n\nThe sandbox has no network: only the"
                + " Go standard library and these modules are available: golang.org/x/exp, github.com/google/go-cmp"
                + " (GET /version has their versions).");
    }

    @Test
    void ordinaryCompileErrorGetsNoHint() {
        ResponseMapper.Mapped m = mapper.map(built(Ending.BUILD, "prog.go:1:1: expected 'package'", false), IMAGE);

        assertThat(m.response().errors()).doesNotContain("standard library");
    }

    @Test
    void buildTimeoutIsNeverCached() {
        ResponseMapper.Mapped m = mapper.map(built(Ending.BUILD, "", true), IMAGE);

        assertThat(m.response().errors()).isEqualTo("process took too long");
        assertThat(m.response().events()).isNull();
        assertThat(m.outcome().cacheable()).isFalse();
        assertThat(m.outcome()).isEqualTo(Outcome.BUILD_TIMEOUT);
    }

    @Test
    void aBuildTimeoutTheRunnerExplainsKeepsItsExplanation() {
        String why = "timeout running go build: GOEXPERIMENT=runtimesecret is not prebuilt in this sandbox (prebuilt: jsonv2)";

        ResponseMapper.Mapped m = mapper.map(built(Ending.BUILD, why, true), IMAGE);

        assertThat(m.response().errors()).isEqualTo(why);
        assertThat(m.outcome()).isEqualTo(Outcome.BUILD_TIMEOUT);
        assertThat(mapper.map(built(Ending.BUILD, "timeout running go build", true), IMAGE).response().errors())
                .isEqualTo("process took too long");
    }

    @Test
    void runTimeoutKeepsThePartialOutputAndIsNeverCached() {
        byte[] out = stream().write(0, "tick\n").write(SECOND, "tick\n").bytes();
        RunResult r = ran(new RunResult.Run(out, null, false, true, 2, "killed", 0, "", Duration.ofSeconds(5)), false);

        ResponseMapper.Mapped m = mapper.map(r, IMAGE);

        assertThat(m.response().errors()).isEqualTo(CompileResponse.TIMEOUT).isEqualTo("process took too long");
        assertThat(m.response().events()).containsExactly(new Event("tick\n", "stdout", 0), new Event("tick\n", "stdout", SECOND));
        assertThat(m.response().status()).isZero();
        assertThat(m.outcome().cacheable()).isFalse();
        assertThat(m.outcome()).isEqualTo(Outcome.TIMEOUT);
    }

    @Test
    void hardDeadlineIsATimeoutWithNoEventsAndIsNeverCached() {
        ResponseMapper.Mapped m = mapper.map(RunResult.hardTimeout("c", Duration.ofSeconds(17)), IMAGE);

        assertThat(m.response().errors()).isEqualTo("process took too long");
        assertThat(m.response().events()).isEmpty();
        assertThat(m.outcome().cacheable()).isFalse();
    }

    @Test
    void killedContainerIsNeverCachedAndNamesTheMemoryLimit() {
        ResponseMapper.Mapped m = mapper.map(RunResult.killed("c", 137, Duration.ofSeconds(1)), IMAGE);

        assertThat(m.response().errors())
                .isEqualTo("Program was killed: it ran out of memory (limit 512MiB) or ended its sandbox.");
        assertThat(m.response().events()).isNull();
        assertThat(m.response().status()).isEqualTo(137);
        assertThat(m.outcome().cacheable()).isFalse();
        assertThat(m.outcome()).isEqualTo(Outcome.KILLED);
    }

    @Test
    void testModeCountsOnlyTopLevelFailures() {
        String out = "=== RUN   TestA\n--- FAIL: TestA (0.00s)\n    --- FAIL: TestA/sub (0.00s)\n"
                + "--- FAIL: TestB (0.00s)\n    x_test.go:9: --- FAIL: quoted\n--- PASS: TestC (0.00s)\nFAIL\n";
        RunResult r = ran(RunResults.exited(stream().write(0, out).bytes(), 1), true);

        ResponseMapper.Mapped m = mapper.map(r, IMAGE);

        assertThat(m.response().isTest()).isTrue();
        assertThat(m.response().testsFailed()).isEqualTo(2);
        assertThat(m.response().status()).isEqualTo(1);
    }

    @Test
    void failLinesOutsideTestModeAreNotCounted() {
        ResponseMapper.Mapped m = mapper.map(ran(stream().write(0, "--- FAIL: TestA\n").bytes(), new byte[0], 0), IMAGE);

        assertThat(m.response().isTest()).isFalse();
        assertThat(m.response().testsFailed()).isZero();
    }

    @Test
    void signalAddsAStderrEventAfterTheOutput() {
        RunResult r = ran(new RunResult.Run(stream().write(0, "x\n").bytes(), null, false, false, 2, "segmentation fault",
                0, "", Duration.ZERO), false);

        ResponseMapper.Mapped m = mapper.map(r, IMAGE);

        assertThat(m.response().events()).containsExactly(
                new Event("x\n", "stdout", 0), new Event("signal: segmentation fault\n", "stderr", 0));
        assertThat(m.response().status()).isEqualTo(2);
    }

    @Test
    void outputTooLargeReplacesErrorsAndStatus() {
        ResponseMapper small = new ResponseMapper(4, 512L << 20);
        RunResult r = ran(new RunResult.Run(stream().write(0, "123456").bytes(), null, false, false, 2, "broken pipe", 0,
                "", Duration.ZERO), false);

        ResponseMapper.Mapped m = small.map(r, IMAGE);

        assertThat(m.response().errors()).isEqualTo("Program output too large.");
        assertThat(m.response().events()).containsExactly(new Event("1234", "stdout", 0));
        assertThat(m.response().status()).isZero();
        assertThat(m.outcome()).isEqualTo(Outcome.OUTPUT_TOO_LARGE);
    }

    @Test
    void runnersOwnOverflowFlagAlsoMeansOutputTooLarge() {
        RunResult r = ran(new RunResult.Run(stream().write(0, "x").bytes(), null, true, false, 0, "", 0, "", Duration.ZERO),
                false);

        assertThat(mapper.map(r, IMAGE).response().errors()).isEqualTo(CompileResponse.OUTPUT_TOO_LARGE);
    }

    @Test
    void vetResultsArePassedThrough() {
        RunResult vetFailed = new RunResult(Ending.BUILD, new RunResult.Build("", false, false, true, false,
                "prog.go:5: unreachable code", Duration.ZERO), null, "c");
        RunResult vetPassed = RunResults.ran(new RunResult.Build("", false, false, true, true, "", Duration.ZERO),
                RunResults.exited(null, 0), "c");

        assertThat(mapper.map(vetFailed, IMAGE).response().vetErrors()).isEqualTo("prog.go:5: unreachable code");
        assertThat(mapper.map(vetFailed, IMAGE).response().vetOK()).isFalse();
        assertThat(mapper.map(vetPassed, IMAGE).response().vetOK()).isTrue();
    }

    @Test
    void vetIsNotOkWhenItDidNotRun() {
        assertThat(mapper.map(ran(new byte[0], new byte[0], 0), IMAGE).response().vetOK()).isFalse();
    }

    private static RunResult ran(byte[] stdout, byte[] stderr, int exit) {
        return ran(new RunResult.Run(stdout, stderr, false, false, exit, "", 0, "", Duration.ofMillis(10)), false);
    }

    private static RunResult ran(RunResult.Run run, boolean isTest) {
        return RunResults.ran(new RunResult.Build("", false, isTest, false, false, "", Duration.ZERO), run, "c");
    }

    private static RunResult built(Ending ending, String errors, boolean timedOut) {
        return new RunResult(ending, new RunResult.Build(errors, timedOut, false, false, false, "", Duration.ofSeconds(1)),
                null, "c");
    }

    @Test
    void programAtItsProcessLimitSaysSoAndIsNeverCached() {
        RunResult r = ran(new RunResult.Run(stream().write(0, "forking\n").bytes(), null, false, true, 0, "", 512, "",
                Duration.ofSeconds(5)), false);

        ResponseMapper.Mapped m = mapper.map(r, IMAGE);

        assertThat(m.response().errors()).isEqualTo(CompileResponse.TIMEOUT);
        assertThat(m.response().events()).containsExactly(new Event("forking\n", "stdout", 0), new Event(
                "too many processes: the program reached its limit of 512 processes and threads\n", "stderr", 0));
        assertThat(m.outcome()).isEqualTo(Outcome.TIMEOUT);
        assertThat(mapper.map(ran(new RunResult.Run(null, null, false, false, 2, "", 512, "", Duration.ZERO), false), IMAGE)
                .outcome()).isEqualTo(Outcome.PROCESS_LIMIT);
    }
}
