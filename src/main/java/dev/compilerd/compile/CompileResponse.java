package dev.compilerd.compile;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The Go playground's /compile response, plus what the run cost ({@code Stats}, on every answer from a run) and, for
 * benchmarks, the clock they ran on ({@code Clock: "real"}) and each one's -test.benchtime. Events is null when the
 * program did not run. The playground's JavaScript reads only its own fields and ignores the others.
 */
@JsonPropertyOrder({"Errors", "Events", "Status", "IsTest", "TestsFailed", "VetErrors", "VetOK", "Stats", "Clock",
        "Benchtime"})
public record CompileResponse(
        @JsonProperty("Errors") String errors,
        @JsonProperty("Events") @JsonInclude(JsonInclude.Include.ALWAYS) List<Event> events,
        @JsonProperty("Status") int status,
        @JsonProperty("IsTest") boolean isTest,
        @JsonProperty("TestsFailed") int testsFailed,
        @JsonProperty("VetErrors") String vetErrors,
        @JsonProperty("VetOK") boolean vetOK,
        @JsonProperty("Stats") @JsonInclude(JsonInclude.Include.NON_NULL) Stats stats,
        @JsonProperty("Clock") @JsonInclude(JsonInclude.Include.NON_NULL) String clock,
        @JsonProperty("Benchtime") @JsonInclude(JsonInclude.Include.NON_NULL) String benchtime) {

    /** The exact string the Go playground's JavaScript recognises to play back partial output. */
    public static final String TIMEOUT = "process took too long";
    public static final String OUTPUT_TOO_LARGE = "Program output too large.";
    public static final String PROGRAM_TOO_LARGE = "Program too large.";
    /** The Clock of an answer whose benchmarks ran on the real clock (every other run is on fake time). */
    public static final String REAL_CLOCK = "real";

    public CompileResponse {
        events = events == null ? null : List.copyOf(events);
    }

    /** An answer in the playground's own fields only. */
    public CompileResponse(String errors, List<Event> events, int status, boolean isTest, int testsFailed,
                           String vetErrors, boolean vetOK) {
        this(errors, events, status, isTest, testsFailed, vetErrors, vetOK, null, null, null);
    }

    /**
     * What one run cost, in the sandbox: the build's wall time (vet included), and the program's wall time, CPU
     * time (user + system) and peak resident memory from the runner's own wait on it. The last two are null when
     * the image's runner does not report them.
     */
    @JsonPropertyOrder({"BuildMs", "RunMs", "RunCpuMs", "MaxRssBytes"})
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Stats(
            @JsonProperty("BuildMs") long buildMs,
            @JsonProperty("RunMs") long runMs,
            @JsonProperty("RunCpuMs") Long runCpuMs,
            @JsonProperty("MaxRssBytes") Long maxRssBytes) {}

    /** This answer with its run's cost and, for benchmarks on the real clock, the clock and benchtime. */
    public CompileResponse with(Stats stats, String clock, String benchtime) {
        return new CompileResponse(errors, events, status, isTest, testsFailed, vetErrors, vetOK, stats, clock,
                benchtime);
    }

    /** A response that carries only an error message and no events. */
    public static CompileResponse error(String errors) {
        return new CompileResponse(errors, null, 0, false, 0, "", false);
    }
}
