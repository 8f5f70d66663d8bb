package dev.compilerd.compile;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** The Go playground's /fmt response: the formatted program, or the first file's error with its name and position. */
@JsonPropertyOrder({"Body", "Error"})
public record FmtResponse(@JsonProperty("Body") String body, @JsonProperty("Error") String error) {
    public static FmtResponse error(String error) {
        return new FmtResponse("", error);
    }
}
