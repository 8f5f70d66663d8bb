package dev.compilerd.sandbox;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.compilerd.config.SandboxLimits;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The server's half of the runner protocol (docker/playground/README.md): one header line in, exactly one result
 * line out. Nothing else can write to the runner's stdout (the program runs under another uid), so anything but
 * exactly one well-formed line is untrusted. Thread-safe.
 */
public final class RunnerProtocol {
    private static final RunnerContract CONTRACT = RunnerContract.RUNNER;
    /** A Go duration as time.Duration prints it ("1s", "333ms", "1m0s"): anything else is not passed on. */
    private static final java.util.regex.Pattern DURATION =
            java.util.regex.Pattern.compile("([0-9]{1,9}(\\.[0-9]{1,9})?(ns|us|\u00b5s|ms|s|m|h)){1,4}");

    private final ObjectMapper json;
    private final ObjectReader wire;
    private final SandboxLimits limits;

    public RunnerProtocol(ObjectMapper json, SandboxLimits limits) {
        this.json = json;
        this.wire = json.readerFor(Wire.class).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.limits = limits;
    }

    /** The result did not come from a runner that finished its job: the run is "killed", never cached. */
    static final class UntrustedResultException extends Exception {
        private static final long serialVersionUID = 1L;

        UntrustedResultException(String reason) {
            super(reason, null, false, false);
        }
    }

    /** The raw stdout+stderr bytes the runner may keep, framing included (16 bytes of header per 1-byte write). */
    public int rawOutputLimit() {
        return limits.maxOutputBytes() * CONTRACT.framingFactor() + CONTRACT.framingSlackBytes();
    }

    /** The most bytes a well-behaved runner can print as its result: base64 output plus escaped error texts. */
    public int maxResultBytes() {
        return rawOutputLimit() * 4 / 3 + 2 * 6 * CONTRACT.maxErrorsBytes() + 64 * 1024;
    }

    /** The one header line that carries the program and the soft limits to the runner. */
    public byte[] header(Program program) {
        return header(program, null);
    }

    /**
     * The header line; {@code sumdb} non-null turns the runner's module relay on for the build, with the go command
     * verifying downloads against that checksum database ("off" for none).
     */
    public byte[] header(Program program, String sumdb) {
        Map<String, Object> h = new LinkedHashMap<>();
        if (sumdb != null) {
            h.put("modules", Map.of("sumdb", sumdb));
        }
        h.put("files", program.files());
        h.put("vet", program.vet());
        if (program.format() != Program.Format.NONE) {
            h.put("fmt", Map.of("imports", program.format() == Program.Format.GOIMPORTS));
        }
        h.put("buildTimeoutMs", limits.buildTimeout().toMillis());
        h.put("runTimeoutMs", limits.runTimeout().toMillis());
        h.put("outputLimit", limits.maxOutputBytes());
        h.put("addressSpace", limits.addressSpaceBytes());
        if (program.bench() != null) {
            Map<String, Object> bench = new LinkedHashMap<>();
            bench.put("pattern", program.bench().pattern());
            bench.put("run", program.bench().run());
            bench.put("budgetMs", limits.benchBudget().toMillis());
            h.put("bench", bench);
        }
        try {
            byte[] body = json.writeValueAsBytes(h);
            byte[] line = Arrays.copyOf(body, body.length + 1);
            line[body.length] = '\n';
            return line;
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode header", e);
        }
    }

    /** The header that asks the runner what it offers instead of running a program. */
    public byte[] infoRequest() {
        return "{\"info\":true}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Decodes the runner's answer to {@link #infoRequest()}. */
    SandboxInfo parseInfo(byte[] output, boolean overflowed) throws UntrustedResultException {
        byte[] line = oneLine(output, overflowed);
        try {
            com.fasterxml.jackson.databind.JsonNode n = json.readTree(line);
            if (n == null || !"info".equals(n.path("phase").asText()) || !n.path("goVersion").isTextual()) {
                throw new UntrustedResultException("not an info result");
            }
            return json.treeToValue(n, SandboxInfo.class);
        } catch (IOException e) {
            throw new UntrustedResultException("malformed info result: " + e.getMessage());
        }
    }

    /** Exactly one line after the ready line, newline stripped; anything else is not trusted. */
    private byte[] oneLine(byte[] output, boolean overflowed) throws UntrustedResultException {
        if (overflowed) {
            throw new UntrustedResultException("more than " + maxResultBytes() + " bytes after the ready line");
        }
        int end = output.length - 1;
        if (end < 0 || output[end] != '\n') {
            throw new UntrustedResultException(output.length == 0 ? "no result" : "no newline after the result");
        }
        for (int i = 0; i < end; i++) {
            if (output[i] == '\n') {
                throw new UntrustedResultException("more than one line after the ready line");
            }
        }
        return Arrays.copyOf(output, end);
    }

    /** Decodes what the runner printed after its ready line: exactly one JSON line, or it is not trusted. */
    RunResult parse(byte[] output, boolean overflowed, String container) throws UntrustedResultException {
        byte[] line = oneLine(output, overflowed);
        Wire w;
        try {
            w = wire.readValue(line);
        } catch (IOException e) {
            throw new UntrustedResultException("malformed result: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (w == null || w.phase == null) {
            throw new UntrustedResultException("result without a phase");
        }
        RunResult.Ending ending = switch (w.phase) {
            case "setup" -> RunResult.Ending.SETUP;
            case "build" -> RunResult.Ending.BUILD;
            case "run" -> RunResult.Ending.RUN;
            case "fmt" -> RunResult.Ending.FORMATTED;
            default -> throw new UntrustedResultException("result with phase '" + w.phase + "'");
        };
        if (ending == RunResult.Ending.FORMATTED) {
            return new RunResult(ending, new RunResult.Build(w.errors, w.timedOut, false, false, false, "",
                    Duration.ofMillis(w.buildMs)), null, w.formatted, false, container);
        }
        boolean ran = ending == RunResult.Ending.RUN;
        RunResult.Build build = new RunResult.Build(ran ? "" : w.errors, !ran && w.timedOut, w.isTest, w.vetRan,
                w.vetOK, w.vetErrors, Duration.ofMillis(w.buildMs + w.vetMs));
        RunResult.Usage usage = w.runCpuMs == null || w.maxRssBytes == null ? null
                : new RunResult.Usage(Duration.ofMillis(Math.max(0, w.runCpuMs)), Math.max(0, w.maxRssBytes));
        RunResult.Run run = ran ? new RunResult.Run(w.stdout, w.stderr, w.outputTooLarge, w.timedOut, w.exitCode,
                w.signal, w.processLimit, w.errors, Duration.ofMillis(w.runMs), usage, w.realClock,
                w.benchtime != null && DURATION.matcher(w.benchtime).matches() ? w.benchtime : "") : null;
        return new RunResult(ending, build, run, container);
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
        public int processLimit;
        public long buildMs;
        public long vetMs;
        public long runMs;
        public Long runCpuMs;
        public Long maxRssBytes;
        public boolean realClock;
        public String benchtime;
        public Map<String, RunResult.Formatted> formatted;
    }
}
