package dev.compilerd.http;

import dev.compilerd.sandbox.PlaybackFrames;
import dev.compilerd.sandbox.Program;
import dev.compilerd.sandbox.RunResult;
import dev.compilerd.sandbox.RunResults;
import dev.compilerd.sandbox.Sandbox;
import dev.compilerd.sandbox.SandboxException;
import dev.compilerd.sandbox.SandboxInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted sandbox for handler tests: prints "ran [file names] vet=..." as framed stdout (benchmarks: "bench
 * PATTERN run=RUN" raw, on the real clock), counts runs, reports the run's number as its cost (RunCpuMs n, RunMs
 * 10 + n, MaxRssBytes n MiB), can block on a gate, throw a failure or hit the hard deadline.
 */
final class FakeSandbox implements Sandbox {
    final AtomicInteger runs = new AtomicInteger();
    final AtomicInteger running = new AtomicInteger();
    volatile CountDownLatch gate = new CountDownLatch(0);
    volatile SandboxException failure;
    /** How a run ends: DEADLINE hits the hard deadline; null prints "ran [file names] vet=..." and exits 0. */
    volatile RunResult.Ending ending;
    volatile String startFailure;
    /** The program of the latest run. */
    volatile Program last;
    private final String goVersion;

    /** A sandbox of the Go release {@code goVersion} belongs to, with an image named after it. */
    FakeSandbox(String goVersion) {
        this.goVersion = goVersion;
    }

    @Override
    public RunResult run(Program program) throws SandboxException, InterruptedException {
        int n = runs.incrementAndGet();
        last = program;
        running.incrementAndGet();
        try {
            gate.await();
            if (failure != null) {
                throw failure;
            }
            if (ending == RunResult.Ending.DEADLINE) {
                return RunResult.hardTimeout("fake-1", Duration.ofSeconds(17));
            }
            if (program.format() != Program.Format.NONE) {
                return format(program);
            }
            RunResult.Usage usage = new RunResult.Usage(Duration.ofMillis(n), n * 1024L * 1024);
            RunResult.Build build = new RunResult.Build("", false, program.bench() != null, program.vet(), program.vet(),
                    "", Duration.ofMillis(100));
            if (program.bench() != null) {
                byte[] out = ("bench " + program.bench().pattern() + " run=" + program.bench().run() + "\n")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                return RunResults.ran(build, new RunResult.Run(out, null, false, false, 0, "", 0, "",
                        Duration.ofMillis(10 + n), usage, true, "1s"), "fake-1");
            }
            byte[] out = PlaybackFrames.stream()
                    .write(0, "ran " + program.files().keySet() + " vet=" + program.vet() + "\n").bytes();
            return RunResults.ran(build, new RunResult.Run(out, null, false, false, 0, "", 0, "", Duration.ofMillis(10 + n),
                    usage, false, ""), "fake-1");
        } finally {
            running.decrementAndGet();
        }
    }

    /**
     * Formats as a stand-in for gofmt: each .go file and go.mod is stripped and gets a last line naming the formatter;
     * a file containing SYNTAX gets an error naming it.
     */
    private static RunResult format(Program program) {
        Map<String, RunResult.Formatted> out = new TreeMap<>();
        program.files().forEach((name, body) -> {
            if (body.contains("SYNTAX")) {
                out.put(name, new RunResult.Formatted("", name + ":1:1: syntax error"));
            } else if (name.endsWith(".go") || name.endsWith("go.mod")) {
                out.put(name, new RunResult.Formatted(body.strip() + "\n// " + program.format() + "\n", ""));
            }
        });
        return new RunResult(RunResult.Ending.FORMATTED, null, null, out, false, "fake-1");
    }

    @Override
    public String failure() {
        return startFailure;
    }

    @Override
    public SandboxInfo info() {
        return new SandboxInfo(goVersion, List.of(
                new SandboxInfo.Module("golang.org/x/exp", "v0.0.0-20250103183323-7d7fa50e5329")));
    }

    @Override
    public String imageId() {
        return "sha256:fake-" + goVersion;
    }
}
