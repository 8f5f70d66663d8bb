package dev.compilerd.sandbox;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.compilerd.config.SandboxLimits;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** The server's half of the runner protocol (docker/playground/README.md): one header line in, one result line out. */
public final class RunnerProtocol {
    /** The runner keeps at most this many framed bytes per payload byte (16 bytes of header per 1-byte write). */
    static final int FRAMING_FACTOR = 17;
    private static final int MAX_ERRORS_BYTES = 64 * 1024;

    private final ObjectMapper json;
    private final SandboxLimits limits;

    public RunnerProtocol(ObjectMapper json, SandboxLimits limits) {
        this.json = json;
        this.limits = limits;
    }

    /** The raw stdout+stderr bytes the runner may keep, framing included (mirrors rawLimit in runner/exec.go). */
    public int rawOutputLimit() {
        return limits.maxOutputBytes() * FRAMING_FACTOR + 64 * 1024;
    }

    /** The most bytes a well-behaved runner can print as its result: base64 output plus escaped error texts. */
    public int maxResultBytes() {
        return rawOutputLimit() * 4 / 3 + 2 * 6 * MAX_ERRORS_BYTES + 64 * 1024;
    }

    /** The one header line that carries the program and the soft limits to the runner. */
    public byte[] header(Program program) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("files", program.files());
        h.put("vet", program.vet());
        h.put("buildTimeoutMs", limits.buildTimeout().toMillis());
        h.put("runTimeoutMs", limits.runTimeout().toMillis());
        h.put("outputLimit", limits.maxOutputBytes());
        try {
            byte[] body = json.writeValueAsBytes(h);
            byte[] line = java.util.Arrays.copyOf(body, body.length + 1);
            line[body.length] = '\n';
            return line;
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode header", e);
        }
    }

    /**
     * Decodes the last line, which the runner writes after every other process in the container is dead (anything
     * before it is junk a program wrote into the runner's stdout); malformed or oversized is a sandbox failure.
     */
    public RunResult parse(byte[] output, boolean overflowed, String container, Duration elapsed) throws SandboxException {
        int end = output.length;
        while (end > 0 && output[end - 1] == '\n') {
            end--;
        }
        int start = end;
        while (start > 0 && output[start - 1] != '\n') {
            start--;
        }
        if (start == 0 && overflowed) {
            throw new SandboxException("runner result from " + container + " exceeded " + maxResultBytes() + " bytes");
        }
        Wire w;
        try {
            w = json.readValue(output, start, end - start, Wire.class);
        } catch (IOException e) {
            throw new SandboxException("unreadable runner result from " + container + ": " + e.getMessage(), e);
        }
        if (w == null || w.phase == null) {
            throw new SandboxException("runner result from " + container + " has no phase");
        }
        RunResult.Phase phase = switch (w.phase) {
            case "setup" -> RunResult.Phase.SETUP;
            case "build" -> RunResult.Phase.BUILD;
            case "run" -> RunResult.Phase.RUN;
            default -> throw new SandboxException("runner result from " + container + " has phase " + w.phase);
        };
        return new RunResult(phase, w.errors, w.vetRan, w.vetOK, w.vetErrors, w.isTest, w.stdout, w.stderr,
                w.outputTooLarge, w.timedOut, false, w.exitCode, w.signal,
                Duration.ofMillis(w.buildMs), Duration.ofMillis(w.runMs), container);
    }

    /** The runner's JSON result, field for field. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    static final class Wire {
        public String phase;
        public String errors;
        public boolean vetRan;
        public boolean vetOK;
        public String vetErrors;
        public boolean isTest;
        public byte[] stdout;
        public byte[] stderr;
        public boolean outputTooLarge;
        public boolean timedOut;
        public int exitCode;
        public String signal;
        public long buildMs;
        public long runMs;
    }
}
