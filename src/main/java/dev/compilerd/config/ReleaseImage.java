package dev.compilerd.config;

/**
 * One Go release the server offers and the sandbox image that runs it. {@code name} (go1.27) is empty when the
 * operator named only the image: the release is then the image's own, as its runner reports it at start.
 */
public record ReleaseImage(String name, String image) {
    /** A release name as the Go playground writes it: go1.27. */
    public static final String NAME_PATTERN = "go[1-9][0-9]*\\.[0-9]+";

    public ReleaseImage {
        if (!name.isEmpty() && !name.matches(NAME_PATTERN)) {
            throw new IllegalArgumentException("a Go release is named like go1.27, not '" + name + "'");
        }
    }
}
