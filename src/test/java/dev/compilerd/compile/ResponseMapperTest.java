package dev.compilerd.compile;

import static dev.compilerd.sandbox.PlaybackFrames.stream;
import static org.assertj.core.api.Assertions.assertThat;

import dev.compilerd.sandbox.RunResult;
import dev.compilerd.sandbox.RunResult.Phase;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ResponseMapperTest {
    private static final long SECOND = 1_000_000_000L;

    private final ResponseMapper mapper = new ResponseMapper(64 * 1024, 512L << 20);

    @Test
    void successfulRunIsCacheableWithItsEventsAndStatusZero() {
        ResponseMapper.Mapped m = mapper.map(ran(stream().write(0, "hello\n").bytes(), new byte[0], 0));

        assertThat(m.response()).isEqualTo(new CompileResponse("", java.util.List.of(new Event("hello\n", "stdout", 0)),
                0, false, 0, "", false));
        assertThat(m.cacheable()).isTrue();
        assertThat(m.outcome()).isEqualTo("ok");
    }

    @Test
    void statusIsTheProgramsExitCode() {
        ResponseMapper.Mapped m = mapper.map(ran(new byte[0], stream().write(0, "bad\n").bytes(), 3));

        assertThat(m.response().status()).isEqualTo(3);
        assertThat(m.response().errors()).isEmpty();
        assertThat(m.response().events()).containsExactly(new Event("bad\n", "stderr", 0));
        assertThat(m.cacheable()).isTrue();
        assertThat(m.outcome()).isEqualTo("exit-3");
    }

    @Test
    void compileErrorHasNoEventsAndIsCacheable() {
        ResponseMapper.Mapped m = mapper.map(result(Phase.BUILD, "./prog.go:3:1: syntax error\n", false, false, 0));

        assertThat(m.response().errors()).isEqualTo("./prog.go:3:1: syntax error\n");
        assertThat(m.response().events()).isNull();
        assertThat(m.response().status()).isZero();
        assertThat(m.cacheable()).isTrue();
        assertThat(m.outcome()).isEqualTo("compile-error");
    }

    @Test
    void invalidSetupIsReportedLikeACompileError() {
        ResponseMapper.Mapped m = mapper.map(result(Phase.SETUP, "duplicate file name \"a.go\"", false, false, 0));

        assertThat(m.response().errors()).isEqualTo("duplicate file name \"a.go\"");
        assertThat(m.response().events()).isNull();
        assertThat(m.outcome()).isEqualTo("invalid");
    }

    @Test
    void missingThirdPartyModuleGetsTheStandardLibraryOnlyHint() {
        String goError = "prog.go:3:8: no required module provides package github.com/x/y; to add it:\n\tgo get github.com/x/y\n";

        ResponseMapper.Mapped m = mapper.map(result(Phase.BUILD, goError, false, false, 0));

        assertThat(m.response().errors()).isEqualTo(goError.stripTrailing() + ResponseMapper.STDLIB_ONLY)
                .contains("Only the Go standard library is available");
    }

    @Test
    void ordinaryCompileErrorGetsNoHint() {
        ResponseMapper.Mapped m = mapper.map(result(Phase.BUILD, "prog.go:1:1: expected 'package'", false, false, 0));

        assertThat(m.response().errors()).doesNotContain("standard library");
    }

    @Test
    void buildTimeoutIsNeverCached() {
        ResponseMapper.Mapped m = mapper.map(result(Phase.BUILD, "", true, false, 0));

        assertThat(m.response().errors()).isEqualTo("process took too long");
        assertThat(m.response().events()).isNull();
        assertThat(m.cacheable()).isFalse();
        assertThat(m.outcome()).isEqualTo("build-timeout");
    }

    @Test
    void runTimeoutKeepsThePartialOutputAndIsNeverCached() {
        byte[] out = stream().write(0, "tick\n").write(SECOND, "tick\n").bytes();
        RunResult r = new RunResult(Phase.RUN, "", false, false, "", false, out, null, false, true, false, 2, "killed",
                Duration.ZERO, Duration.ofSeconds(5), "c");

        ResponseMapper.Mapped m = mapper.map(r);

        assertThat(m.response().errors()).isEqualTo(CompileResponse.TIMEOUT).isEqualTo("process took too long");
        assertThat(m.response().events()).containsExactly(new Event("tick\n", "stdout", 0), new Event("tick\n", "stdout", SECOND));
        assertThat(m.response().status()).isZero();
        assertThat(m.cacheable()).isFalse();
        assertThat(m.outcome()).isEqualTo("timeout");
    }

    @Test
    void hardDeadlineIsATimeoutWithNoEventsAndIsNeverCached() {
        ResponseMapper.Mapped m = mapper.map(RunResult.hardTimeout("c", Duration.ofSeconds(17)));

        assertThat(m.response().errors()).isEqualTo("process took too long");
        assertThat(m.response().events()).isEmpty();
        assertThat(m.cacheable()).isFalse();
    }

    @Test
    void killedContainerIsNeverCachedAndNamesTheMemoryLimit() {
        ResponseMapper.Mapped m = mapper.map(RunResult.killed("c", 137, Duration.ofSeconds(1)));

        assertThat(m.response().errors())
                .isEqualTo("Program was killed: it ran out of memory (limit 512MiB) or killed the sandbox.");
        assertThat(m.response().events()).isNull();
        assertThat(m.response().status()).isEqualTo(137);
        assertThat(m.cacheable()).isFalse();
        assertThat(m.outcome()).isEqualTo("killed");
    }

    @Test
    void testModeCountsOnlyTopLevelFailures() {
        String out = "=== RUN   TestA\n--- FAIL: TestA (0.00s)\n    --- FAIL: TestA/sub (0.00s)\n"
                + "--- FAIL: TestB (0.00s)\n    x_test.go:9: --- FAIL: quoted\n--- PASS: TestC (0.00s)\nFAIL\n";
        RunResult r = new RunResult(Phase.RUN, "", false, false, "", true, stream().write(0, out).bytes(), null, false,
                false, false, 1, "", Duration.ZERO, Duration.ZERO, "c");

        ResponseMapper.Mapped m = mapper.map(r);

        assertThat(m.response().isTest()).isTrue();
        assertThat(m.response().testsFailed()).isEqualTo(2);
        assertThat(m.response().status()).isEqualTo(1);
    }

    @Test
    void failLinesOutsideTestModeAreNotCounted() {
        ResponseMapper.Mapped m = mapper.map(ran(stream().write(0, "--- FAIL: TestA\n").bytes(), new byte[0], 0));

        assertThat(m.response().isTest()).isFalse();
        assertThat(m.response().testsFailed()).isZero();
    }

    @Test
    void signalAddsAStderrEventAfterTheOutput() {
        RunResult r = new RunResult(Phase.RUN, "", false, false, "", false, stream().write(0, "x\n").bytes(), null, false,
                false, false, 2, "segmentation fault", Duration.ZERO, Duration.ZERO, "c");

        ResponseMapper.Mapped m = mapper.map(r);

        assertThat(m.response().events()).containsExactly(
                new Event("x\n", "stdout", 0), new Event("signal: segmentation fault\n", "stderr", 0));
        assertThat(m.response().status()).isEqualTo(2);
    }

    @Test
    void outputTooLargeReplacesErrorsAndStatus() {
        ResponseMapper small = new ResponseMapper(4, 512L << 20);
        RunResult r = new RunResult(Phase.RUN, "", false, false, "", false, stream().write(0, "123456").bytes(), null,
                false, false, false, 2, "broken pipe", Duration.ZERO, Duration.ZERO, "c");

        ResponseMapper.Mapped m = small.map(r);

        assertThat(m.response().errors()).isEqualTo("Program output too large.");
        assertThat(m.response().events()).containsExactly(new Event("1234", "stdout", 0));
        assertThat(m.response().status()).isZero();
        assertThat(m.outcome()).isEqualTo("output-too-large");
    }

    @Test
    void runnersOwnOverflowFlagAlsoMeansOutputTooLarge() {
        RunResult r = new RunResult(Phase.RUN, "", false, false, "", false, stream().write(0, "x").bytes(), null, true,
                false, false, 0, "", Duration.ZERO, Duration.ZERO, "c");

        assertThat(mapper.map(r).response().errors()).isEqualTo(CompileResponse.OUTPUT_TOO_LARGE);
    }

    @Test
    void vetResultsArePassedThrough() {
        RunResult vetFailed = new RunResult(Phase.BUILD, "", true, false, "prog.go:5: unreachable code", false, null, null,
                false, false, false, 0, "", Duration.ZERO, Duration.ZERO, "c");
        RunResult vetPassed = new RunResult(Phase.RUN, "", true, true, "", false, null, null, false, false, false, 0, "",
                Duration.ZERO, Duration.ZERO, "c");

        assertThat(mapper.map(vetFailed).response().vetErrors()).isEqualTo("prog.go:5: unreachable code");
        assertThat(mapper.map(vetFailed).response().vetOK()).isFalse();
        assertThat(mapper.map(vetPassed).response().vetOK()).isTrue();
    }

    @Test
    void vetIsNotOkWhenItDidNotRun() {
        assertThat(mapper.map(ran(new byte[0], new byte[0], 0)).response().vetOK()).isFalse();
    }

    private static RunResult ran(byte[] stdout, byte[] stderr, int exit) {
        return new RunResult(Phase.RUN, "", false, false, "", false, stdout, stderr, false, false, false, exit, "",
                Duration.ZERO, Duration.ofMillis(10), "c");
    }

    private static RunResult result(Phase phase, String errors, boolean timedOut, boolean killed, int exit) {
        return new RunResult(phase, errors, false, false, "", false, null, null, false, timedOut, killed, exit, "",
                Duration.ofSeconds(1), Duration.ZERO, "c");
    }
}
