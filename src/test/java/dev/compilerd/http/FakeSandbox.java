package dev.compilerd.http;

import dev.compilerd.sandbox.Program;
import dev.compilerd.sandbox.RunResult;
import dev.compilerd.sandbox.Sandbox;
import dev.compilerd.sandbox.SandboxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** A scripted sandbox for handler tests: echoes the program's first file as framed stdout, counts runs, can block. */
final class FakeSandbox implements Sandbox {
    final AtomicInteger runs = new AtomicInteger();
    final AtomicInteger running = new AtomicInteger();
    volatile CountDownLatch gate = new CountDownLatch(0);
    volatile SandboxException failure;
    /** How a run ends; null: it prints "ran [files] vet=..." and exits 0. */
    volatile RunResult.Ending ending;
    volatile String startFailure;

    @Override
    public RunResult run(Program program) throws SandboxException, InterruptedException {
        runs.incrementAndGet();
        running.incrementAndGet();
        try {
            gate.await();
            if (failure != null) {
                throw failure;
            }
            if (ending == RunResult.Ending.DEADLINE) {
                return RunResult.hardTimeout("fake-1", Duration.ofSeconds(17));
            }
            if (ending == RunResult.Ending.KILLED) {
                return RunResult.killed("fake-1", 137, Duration.ofSeconds(1));
            }
            byte[] out = frame(("ran " + program.files().keySet() + " vet=" + program.vet() + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            return RunResult.ran(new RunResult.Build("", false, false, program.vet(), program.vet(), "", Duration.ZERO),
                    RunResult.Run.exited(out, 0), "fake-1");
        } finally {
            running.decrementAndGet();
        }
    }

    @Override
    public String failure() {
        return startFailure;
    }

    @Override
    public dev.compilerd.sandbox.SandboxInfo info() {
        return new dev.compilerd.sandbox.SandboxInfo("go1.24.4", java.util.List.of(
                new dev.compilerd.sandbox.SandboxInfo.Module("golang.org/x/exp", "v0.0.0-20250103183323-7d7fa50e5329")));
    }

    @Override
    public String imageId() {
        return "sha256:fake";
    }

    static byte[] frame(byte[] payload) {
        return ByteBuffer.allocate(16 + payload.length).put(new byte[] {0, 0, 'P', 'B'})
                .putLong(1_257_894_000_000_000_000L).putInt(payload.length).put(payload).array();
    }
}
