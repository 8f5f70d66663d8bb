package dev.compilerd.sandbox;

import dev.compilerd.logging.LogText;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.commons.exec.DefaultExecuteResultHandler;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteStreamHandler;
import org.apache.commons.exec.ExecuteWatchdog;

/**
 * One started {@code docker run -i} process: waits for the runner's ready line, takes one request (a program, or
 * the info request) on stdin and collects the bounded result. Killing this process does not stop the container:
 * callers remove it by name. Used by one thread at a time.
 */
final class Container {
    /** The line the runner prints once it waits for a program (docker/playground/runner/contract.json). */
    static final String READY_LINE = RunnerContract.RUNNER.readyLine();
    private static final int MAX_READY_LINE = 256;
    private static final int MAX_STDERR = 8 * 1024;
    /** How long to wait for the readers after docker run exited; they normally see EOF at once. */
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);

    final String name;
    private final long startedNanos = System.nanoTime();
    private final DefaultExecuteResultHandler exit = new DefaultExecuteResultHandler();
    private final ExecuteWatchdog cli = ExecuteWatchdog.builder().setTimeout(ExecuteWatchdog.INFINITE_TIMEOUT_DURATION).get();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final CountDownLatch drained = new CountDownLatch(2);
    private final Exec.CappedBuffer result;
    private final Exec.CappedBuffer stderr = new Exec.CappedBuffer(MAX_STDERR);
    private final Object stdinLock = new Object();
    private volatile OutputStream stdin;
    /** Takes the runner's module fetch lines while a relayed program builds; null when the run relays none. */
    private volatile Consumer<byte[]> fetches;

    private Container(String name, int maxResultBytes) {
        this.name = name;
        this.result = new Exec.CappedBuffer(maxResultBytes);
    }

    /** Launches docker run; the container is starting when this returns. */
    static Container start(List<String> argv, String name, int maxResultBytes) throws SandboxException {
        Container c = new Container(name, maxResultBytes);
        DefaultExecutor executor = DefaultExecutor.builder().get();
        executor.setExitValues(null);
        executor.setStreamHandler(c.new Streams());
        executor.setWatchdog(c.cli);
        try {
            executor.execute(Exec.commandLine(argv), c.exit);
        } catch (IOException e) {
            throw new SandboxException("could not start docker: " + e.getMessage(), e);
        }
        return c;
    }

    /** Waits for the ready line; a container that exits or prints anything else first is broken. */
    void awaitReady(Duration timeout) throws SandboxException, InterruptedException {
        try {
            ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new SandboxException("sandbox container " + name + " not ready after " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            awaitExit(Duration.ofSeconds(5));
            throw new SandboxException("sandbox container " + name + " failed to start: " + e.getCause().getMessage()
                    + describeExit());
        }
    }

    boolean isReady() {
        return ready.isDone() && !ready.isCompletedExceptionally() && !exit.hasResult();
    }

    /** Writes the request header line and closes stdin: the runner reads exactly one program. */
    void send(byte[] headerLine) throws SandboxException {
        try (OutputStream in = stdin) {
            in.write(headerLine);
        } catch (IOException e) {
            throw new SandboxException("could not send the program to " + name + ": " + e.getMessage() + describeExit(), e);
        }
    }

    /**
     * Writes the request header line and keeps stdin open for the module relay's answers; every line the runner
     * prints that begins with {@link #FETCH_PREFIX} goes to {@code fetches} instead of the result.
     */
    void sendRelaying(byte[] headerLine, Consumer<byte[]> fetches) throws SandboxException {
        this.fetches = fetches;
        try {
            synchronized (stdinLock) {
                stdin.write(headerLine);
                stdin.flush();
            }
        } catch (IOException e) {
            throw new SandboxException("could not send the program to " + name + ": " + e.getMessage() + describeExit(), e);
        }
    }

    /** Writes one whole answer frame (its head line, then its body) to the runner's stdin. */
    void answer(byte[] head, com.google.common.io.ByteSource body) throws IOException {
        synchronized (stdinLock) {
            stdin.write(head);
            body.copyTo(stdin);
            stdin.flush();
        }
    }

    /** Waits until docker run has exited and both streams are read; false on timeout. */
    boolean awaitExit(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        exit.waitFor(timeout);
        return exit.hasResult() && drained.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /** Kills the docker CLI process (not the container: remove that by name), unblocking a stuck write. */
    void killCli() {
        cli.destroyProcess();
    }

    int exitCode() {
        return exit.hasResult() ? exit.getExitValue() : -1;
    }

    /** What the runner printed after its ready line, up to maxResultBytes. */
    byte[] result() {
        return result.toByteArray();
    }

    /** Whether the runner printed more than maxResultBytes: then no result of it is trusted. */
    boolean resultOverflowed() {
        return result.overflowed();
    }

    String stderr() {
        return stderr.toString(StandardCharsets.UTF_8).strip();
    }

    Duration age() {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    /** A short description of how docker run ended, for error messages and logs (docker's text escaped). */
    String describeExit() {
        String err = stderr();
        return " (docker exit " + exitCode() + (err.isEmpty() ? "" : ": " + LogText.escape(err)) + ")";
    }

    /** Hands the process's streams to two reader threads; stop() waits for them to reach EOF. */
    private final class Streams implements ExecuteStreamHandler {
        private InputStream out;
        private InputStream err;

        @Override
        public void setProcessInputStream(OutputStream os) {
            stdin = os;
        }

        @Override
        public void setProcessOutputStream(InputStream is) {
            out = is;
        }

        @Override
        public void setProcessErrorStream(InputStream is) {
            err = is;
        }

        @Override
        public void start() {
            Thread o = new Thread(() -> readStdout(out), name + "-stdout");
            Thread e = new Thread(() -> copy(err, stderr::write), name + "-stderr");
            o.setDaemon(true);
            e.setDaemon(true);
            o.start();
            e.start();
        }

        @Override
        public void stop() {
            // Commons Exec closes the streams right after this returns: let the readers finish first.
            try {
                drained.await(DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void readStdout(InputStream in) {
        try {
            byte[] line = new byte[MAX_READY_LINE];
            int n = 0;
            int b;
            while ((b = in.read()) != -1 && b != '\n' && n < line.length) {
                line[n++] = (byte) b;
            }
            String got = new String(line, 0, n, StandardCharsets.UTF_8);
            if (b == '\n' && got.equals(READY_LINE)) {
                ready.complete(null);
            } else {
                ready.completeExceptionally(new IOException(b == -1 && n == 0 ? "exited before it was ready"
                        : "unexpected first line '" + LogText.escape(got) + "'"));
            }
        } catch (IOException e) {
            ready.completeExceptionally(e);
        }
        copy(in, new Lines());
    }

    /** What the runner prints first on a line that asks the server for a module (docker/playground/runner/relay.go). */
    static final byte[] FETCH_PREFIX = "{\"fetch\":".getBytes(StandardCharsets.US_ASCII);
    /** The longest fetch line taken: a module path and a version are far shorter. */
    static final int MAX_FETCH_LINE = 4096;

    /**
     * Splits what follows the ready line into lines: fetch lines (while the run relays modules) go to the relay, the
     * rest to the bounded result exactly as read. A fetch line that is too long, or one with no relay to take it, is
     * left in the result, where it makes the result untrusted.
     */
    private final class Lines implements Sink {
        private final byte[] head = new byte[MAX_FETCH_LINE];
        private int held; // bytes of the current line held back while it may still be a fetch line
        private boolean passing; // the current line goes to the result

        @Override
        public void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                byte x = b[i];
                if (passing) {
                    int end = i;
                    while (end < off + len && b[end] != '\n') {
                        end++;
                    }
                    boolean newline = end < off + len;
                    result.write(b, i, end - i + (newline ? 1 : 0));
                    passing = !newline;
                    i = end;
                    continue;
                }
                if (x == '\n' && isFetch()) {
                    Consumer<byte[]> to = fetches;
                    to.accept(java.util.Arrays.copyOf(head, held));
                    held = 0;
                    continue;
                }
                head[held++] = x;
                if (x == '\n' || held == head.length || !mayBeFetch()) {
                    result.write(head, 0, held);
                    passing = x != '\n';
                    held = 0;
                }
            }
        }

        /** Whether the line held so far could still be a fetch line the relay takes. */
        private boolean mayBeFetch() {
            if (fetches == null) {
                return false;
            }
            for (int i = 0; i < Math.min(held, FETCH_PREFIX.length); i++) {
                if (head[i] != FETCH_PREFIX[i]) {
                    return false;
                }
            }
            return true;
        }

        private boolean isFetch() {
            return held >= FETCH_PREFIX.length && mayBeFetch();
        }

        @Override
        public void end() {
            result.write(head, 0, held);
            held = 0;
        }
    }

    /** Where a reader puts what it read: a capped head (stderr) or a bounded tail (the result). */
    @FunctionalInterface
    private interface Sink {
        void write(byte[] b, int off, int len);

        /** The stream ended: keep whatever is still held. */
        default void end() {
        }
    }

    /** Copies until EOF or error, then counts the stream as drained (exactly once). */
    private void copy(InputStream in, Sink to) {
        try (in) {
            byte[] buf = new byte[16 * 1024];
            int n;
            while ((n = in.read(buf)) != -1) {
                to.write(buf, 0, n);
            }
        } catch (IOException e) {
            // The process went away; what was read is what we have.
        } finally {
            to.end();
            drained.countDown();
        }
    }
}
