package dev.compilerd.compile;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One timed piece of output, as the Go playground's client plays it back; Delay is nanoseconds since the previous event. */
public record Event(@JsonProperty("Message") String message, @JsonProperty("Kind") String kind,
                    @JsonProperty("Delay") long delay) {}
