package dev.compilerd.compile;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/** The Go playground's /compile response; Events is null when the program did not run. */
@JsonPropertyOrder({"Errors", "Events", "Status", "IsTest", "TestsFailed", "VetErrors", "VetOK"})
public record CompileResponse(
        @JsonProperty("Errors") String errors,
        @JsonProperty("Events") @JsonInclude(JsonInclude.Include.ALWAYS) List<Event> events,
        @JsonProperty("Status") int status,
        @JsonProperty("IsTest") boolean isTest,
        @JsonProperty("TestsFailed") int testsFailed,
        @JsonProperty("VetErrors") String vetErrors,
        @JsonProperty("VetOK") boolean vetOK) {

    /** The exact string the Go playground's JavaScript recognises to play back partial output. */
    public static final String TIMEOUT = "process took too long";
    public static final String OUTPUT_TOO_LARGE = "Program output too large.";
    public static final String PROGRAM_TOO_LARGE = "Program too large.";

    public CompileResponse {
        events = events == null ? null : List.copyOf(events);
    }

    /** A response that carries only an error message and no events. */
    public static CompileResponse error(String errors) {
        return new CompileResponse(errors, null, 0, false, 0, "", false);
    }
}
