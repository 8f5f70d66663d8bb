package dev.compilerd.sandbox;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The runner protocol's shared constants and file-name rule, read from docker/playground/runner/contract.json,
 * the same file the runner embeds: the server and the runner cannot disagree on them (the Java side reads what it
 * uses). Immutable.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RunnerContract(
        String readyLine,
        int maxFiles,
        int maxFileNameLength,
        int maxPathDepth,
        Pattern fileNamePattern,
        int maxOutputLimit,
        int maxErrorsBytes,
        int framingFactor,
        int framingSlackBytes,
        int maxTimeoutMs,
        int maxBenchPatternBytes,
        FileNames fileNames) {

    /** Examples both sides' tests check the rule against. */
    public record FileNames(List<String> valid, List<String> invalid) {}

    /** The contract this build was made with. */
    public static final RunnerContract RUNNER = load();

    static RunnerContract load() {
        try (InputStream in = RunnerContract.class.getResourceAsStream("contract.json")) {
            if (in == null) {
                throw new IllegalStateException("contract.json is missing from the jar");
            }
            return new ObjectMapper().readValue(in, RunnerContract.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the runner contract", e);
        }
    }

    /** Why a file name breaks the runner's rule, or empty when it is fine. */
    public Optional<String> checkName(String name) {
        if (name.isEmpty() || name.length() > maxFileNameLength) {
            return Optional.of("file name must have 1 to " + maxFileNameLength + " characters");
        }
        if (!fileNamePattern.matcher(name).matches()) {
            return Optional.of("use letters, digits, '.', '_', '-' and '/'");
        }
        for (String part : name.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return Optional.of("must be a relative path with no empty, '.' or '..' parts");
            }
        }
        if (name.chars().filter(c -> c == '/').count() >= maxPathDepth) {
            return Optional.of("nested too deeply (limit " + maxPathDepth + " levels)");
        }
        return Optional.empty();
    }
}
