package dev.compilerd.sandbox;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** What the sandbox image offers programs: its Go version and the modules baked into it (GET /version). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SandboxInfo(@JsonProperty("goVersion") String goVersion, @JsonProperty("modules") List<Module> modules) {

    public SandboxInfo {
        modules = modules == null ? List.of() : List.copyOf(modules);
    }

    /** One module a program may import without a network, at the version the image has. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Module(@JsonProperty("path") String path, @JsonProperty("version") String version) {}

    /** The release a Go version belongs to: go1.24.4 → go1.24. */
    public String release() {
        String[] parts = goVersion.split("\\.");
        return parts.length >= 2 ? parts[0] + "." + parts[1] : goVersion;
    }
}
