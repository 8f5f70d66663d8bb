package dev.compilerd.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.PumpStreamHandler;

/** Runs a short command (docker info, rm -f, ps) with a timeout and captures its output. Stateless, thread-safe. */
public final class Exec {
    /** Output kept from a short command; anything beyond is dropped. */
    static final int MAX_CAPTURE = 1 << 20;

    private Exec() {}

    /** The outcome of a short command: its exit code and what it printed. */
    public record Outcome(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs argv to completion or timeout (then it is killed and the exit code is -1). */
    public static Outcome run(List<String> argv, Duration timeout) throws SandboxException {
        CommandLine cmd = commandLine(argv);
        ByteArrayOutputStream out = new CappedBuffer(MAX_CAPTURE);
        ByteArrayOutputStream err = new CappedBuffer(MAX_CAPTURE);
        ExecuteWatchdog watchdog = ExecuteWatchdog.builder().setTimeout(timeout).get();
        DefaultExecutor executor = DefaultExecutor.builder().get();
        executor.setStreamHandler(new PumpStreamHandler(out, err));
        executor.setWatchdog(watchdog);
        executor.setExitValues(null);
        try {
            int code = executor.execute(cmd);
            return new Outcome(watchdog.killedProcess() ? -1 : code, out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new SandboxException("could not run " + String.join(" ", argv) + ": " + e.getMessage(), e);
        }
    }

    /** Builds a command line without shell quoting surprises: every element is one argument. */
    static CommandLine commandLine(List<String> argv) {
        CommandLine cmd = new CommandLine(argv.get(0));
        for (String a : argv.subList(1, argv.size())) {
            cmd.addArgument(a, false);
        }
        return cmd;
    }

    /** A byte buffer that stops growing at its limit (and remembers that it did), so output costs bounded memory. */
    static final class CappedBuffer extends ByteArrayOutputStream {
        private final int limit;
        private boolean overflowed;

        CappedBuffer(int limit) {
            super(Math.min(limit, 256));
            this.limit = limit;
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            int kept = Math.max(0, Math.min(len, limit - count));
            overflowed |= kept < len;
            super.write(b, off, kept);
        }

        @Override
        public synchronized void write(int b) {
            if (count < limit) {
                super.write(b);
            } else {
                overflowed = true;
            }
        }

        /** Whether anything was written past the limit (and dropped). */
        synchronized boolean overflowed() {
            return overflowed;
        }
    }
}
