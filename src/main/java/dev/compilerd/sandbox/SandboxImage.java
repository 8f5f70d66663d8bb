package dev.compilerd.sandbox;

/**
 * A checked sandbox image: the reference the operator gave, the local content id containers start from, and the
 * identity results are cached under. A reference by registry digest (REPO@sha256:...) is identified by that digest,
 * the same on every VM that pulled it and after a re-pull; a locally built image by its id, which a rebuild changes.
 */
public record SandboxImage(String reference, String id) {
    private static final String DIGEST = "@sha256:";

    /** What keys cached results and GET /version reports: the registry digest where there is one, else the id. */
    public String identity() {
        int at = reference.indexOf(DIGEST);
        return at < 0 ? id : reference.substring(at + 1);
    }
}
