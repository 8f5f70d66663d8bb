package dev.compilerd.config;

/** One command-line flag with its environment fallback, default and help text. */
public record Flag(String name, String defaultValue, String help) {
    /** The environment variable that supplies the flag when it is not given: --max-output → COMPILERD_MAX_OUTPUT. */
    public String env() {
        return "COMPILERD_" + name.replace('-', '_').toUpperCase(java.util.Locale.ROOT);
    }
}
