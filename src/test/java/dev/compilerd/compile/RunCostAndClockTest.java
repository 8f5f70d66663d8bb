package dev.compilerd.compile;

import static dev.compilerd.sandbox.PlaybackFrames.stream;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.compilerd.sandbox.RunResult;
import dev.compilerd.sandbox.RunResults;
import dev.compilerd.sandbox.RunResult.Ending;
import dev.compilerd.sandbox.SandboxInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a run cost (Stats) and the clock of benchmarks, as the mapper puts them into the answer. */
class RunCostAndClockTest {
    private final ResponseMapper mapper = new ResponseMapper(64, 512L << 20);
    private static final SandboxInfo IMAGE = new SandboxInfo("go1.27.4", List.of());
    private static final RunResult.Build BUILD = new RunResult.Build("", false, true, false, false, "",
            Duration.ofMillis(420));
    private static final RunResult.Usage USAGE = new RunResult.Usage(Duration.ofMillis(950), 123L << 20);

    private static RunResult.Run run(byte[] stdout, byte[] stderr, boolean timedOut, RunResult.Usage usage,
                                     boolean realClock) {
        return new RunResult.Run(stdout, stderr, false, timedOut, 0, "", 0, "", Duration.ofMillis(1000), usage,
                realClock, realClock ? "1s" : "");
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aRunCarriesTheBuildsTimeAndTheProgramsTimeCpuAndPeakMemory() throws Exception {
        CompileResponse r = mapper.map(RunResults.ran(BUILD, run(stream().write(0, "x").bytes(), null, false, USAGE, false),
                "c"), IMAGE).response();
        assertThat(r.stats()).isEqualTo(new CompileResponse.Stats(420, 1000, 950L, 123L << 20));
        assertThat(r.clock()).isNull();
        assertThat(new ObjectMapper().writeValueAsString(r)).endsWith(",\"VetOK\":false,\"Stats\":{\"BuildMs\":420,"
                + "\"RunMs\":1000,\"RunCpuMs\":950,\"MaxRssBytes\":128974848}}");
    }

    @Test
    void aRunnerThatDoesNotReportUsageLeavesOnlyTheTimes() throws Exception {
        CompileResponse r = mapper.map(RunResults.ran(BUILD, run(null, null, false, null, false), "c"), IMAGE).response();
        assertThat(new ObjectMapper().writeValueAsString(r.stats())).isEqualTo("{\"BuildMs\":420,\"RunMs\":1000}");
    }

    @Test
    void aProgramThatDidNotBuildCostOnlyItsBuild() {
        RunResult failed = new RunResult(Ending.BUILD, new RunResult.Build("./prog_test.go:1: x", false, true, false, false,
                "", Duration.ofMillis(300)), null, "c");
        assertThat(mapper.map(failed, IMAGE).response().stats()).isEqualTo(new CompileResponse.Stats(300, 0, 0L, 0L));
    }

    @Test
    void aContainerWithoutATrustedResultHasNoStats() {
        assertThat(mapper.map(RunResult.killed("c", 137, Duration.ofSeconds(3)), IMAGE).response().stats()).isNull();
        assertThat(mapper.map(RunResult.hardTimeout("c", Duration.ofSeconds(17)), IMAGE).response().stats()).isNull();
    }

    @Test
    void benchmarksSayTheClockWasRealAndTheirOutputIsTakenAsWrittenNotAsPlaybackFrames() {
        byte[] forged = stream().write(5_000_000_000L, "forged").bytes(); // a frame with a 5 s delay, printed raw
        ResponseMapper.Mapped m = mapper.map(RunResults.ran(BUILD, run(b("BenchmarkX-2  100  12 ns/op\n"), forged, false,
                USAGE, true), "c"), IMAGE);
        CompileResponse r = m.response();
        assertThat(r.clock()).isEqualTo("real");
        assertThat(r.benchtime()).isEqualTo("1s");
        assertThat(r.isTest()).isTrue();
        assertThat(r.events()).containsExactly(new Event("BenchmarkX-2  100  12 ns/op\n", "stdout", 0),
                new Event(new String(forged, StandardCharsets.UTF_8), "stderr", 0));
        assertThat(m.outcome()).isEqualTo(Outcome.OK);
    }

    @Test
    void anOverrunningBenchmarkIsProcessTookTooLongWithTheLinesItPrinted() {
        CompileResponse r = mapper.map(RunResults.ran(BUILD, run(b("goos: linux\nBenchmarkSlow\n"), null, true, USAGE,
                true), "c"), IMAGE).response();
        assertThat(r.errors()).isEqualTo("process took too long");
        assertThat(r.events()).containsExactly(new Event("goos: linux\nBenchmarkSlow\n", "stdout", 0));
        assertThat(r.clock()).isEqualTo("real");
    }

    @Test
    void rawOutputIsCappedAcrossBothStreams() {
        Events.Decoded d = Events.raw(b("x".repeat(60)), b("y".repeat(10)), 64);
        assertThat(d.tooLarge()).isTrue();
        assertThat(d.events()).containsExactly(new Event("x".repeat(60), "stdout", 0), new Event("yyyy", "stderr", 0));
        assertThat(Events.raw(new byte[0], new byte[0], 64).events()).isEmpty();
    }
}
