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
    /** Faketime framing costs 16 bytes per write; the runner's raw cap leaves that much room again. */
    static final int FRAMING_ALLOWANCE = 2;
    private static final int MAX_ERRORS_BYTES = 64 * 1024;

    private final ObjectMapper json;
    private final SandboxLimits limits;

    public RunnerProtocol(ObjectMapper json, SandboxLimits limits) {
        this.json = json;
        this.limits = limits;
    }

    /** The raw stdout+stderr bytes the runner may keep, framing included. */
    public int rawOutputLimit() {
        return limits.maxOutputBytes() * FRAMING_ALLOWANCE;
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
        h.put("outputLimit", rawOutputLimit());
        try {
            byte[] body = json.writeValueAsBytes(h);
            byte[] line = java.util.Arrays.copyOf(body, body.length + 1);
            line[body.length] = '\n';
            return line;
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode header", e);
        }
    }

    /** Decodes the result line; anything malformed or oversized is a sandbox failure, not user output. */
    public RunResult parse(byte[] result, boolean overflowed, String container, Duration elapsed) throws SandboxException {
        if (overflowed) {
            throw new SandboxException("runner result from " + container + " exceeded " + maxResultBytes() + " bytes");
        }
        Wire w;
        try {
            w = json.readValue(result, Wire.class);
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
