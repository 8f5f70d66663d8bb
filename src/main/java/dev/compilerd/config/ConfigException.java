package dev.compilerd.config;

/** A configuration the server refuses to start with; the message says which flag and why. */
public class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
