package dev.compilerd.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the release-to-image map from its three sources: the --go flag (go1.27=IMAGE,go1.26=IMAGE), an images.lock
 * (one "go1.27 REGISTRY/...@sha256:..." line per release) and the image's own list of releases
 * (docker/playground/releases, built into the jar), the first release being the default. Pure.
 */
public final class ReleaseImages {
    /** The local images vm/startup.sh builds: one tag per line of docker/playground/releases. */
    public static final String LOCAL_REPOSITORY = "compilerd/playground";
    /** The most releases one server offers: each has a warm pool and an image to check at start. */
    public static final int MAX_RELEASES = 8;
    /** The largest images.lock read. */
    static final int MAX_LOCK_BYTES = 64 * 1024;

    private ReleaseImages() {}

    /** The variable that names the local images' repository, for vm/startup.sh and the server alike. */
    public static final String REPOSITORY_ENV = "COMPILERD_IMAGE_REPO";

    /** The --go default: every release of docker/playground/releases, as vm/startup.sh tags it locally. */
    public static String defaultSpec() {
        return defaultSpec(LOCAL_REPOSITORY);
    }

    /** Every release of docker/playground/releases as {@code repository:goX.Y}. */
    public static String defaultSpec(String repository) {
        List<String> out = new ArrayList<>();
        for (String release : builtReleases()) {
            out.add("go" + release + "=" + repository + ":go" + release);
        }
        return String.join(",", out);
    }

    /** Parses "go1.27=IMAGE,go1.26=IMAGE"; an entry without "name=" is an image whose release it reports itself. */
    public static List<ReleaseImage> parse(String spec) throws ConfigException {
        List<ReleaseImage> out = new ArrayList<>();
        for (String entry : spec.split(",")) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            int eq = e.indexOf('=');
            out.add(release(eq < 0 ? "" : e.substring(0, eq).trim(), eq < 0 ? e : e.substring(eq + 1).trim(),
                    "--go entry '" + e + "'"));
        }
        return checked(out, "--go");
    }

    /** Reads an images.lock: "go1.27 REF" per line, # comments and blank lines allowed, every REF by digest. */
    public static List<ReleaseImage> readLock(Path lock) throws ConfigException {
        String text;
        try {
            if (Files.size(lock) > MAX_LOCK_BYTES) {
                throw new ConfigException("--images " + lock + " is over " + MAX_LOCK_BYTES + " bytes");
            }
            text = Files.readString(lock, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("--images: cannot read " + lock + ": " + e.getMessage());
        }
        List<ReleaseImage> out = new ArrayList<>();
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            String l = line.replaceFirst("#.*", "").trim();
            if (l.isEmpty()) {
                continue;
            }
            String[] parts = l.split("\\s+");
            String where = "--images " + lock + " line " + n;
            if (parts.length != 2 || !parts[1].matches(".+@sha256:[0-9a-f]{64}")) {
                throw new ConfigException(where + " must be 'goX.Y REGISTRY/IMAGE@sha256:<64 hex>', not '" + l + "'");
            }
            out.add(release(parts[0], parts[1], where));
        }
        return checked(out, "--images " + lock);
    }

    private static ReleaseImage release(String name, String image, String where) throws ConfigException {
        if (image.isEmpty()) {
            throw new ConfigException(where + " names no image");
        }
        try {
            return new ReleaseImage(name, image);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + ": " + e.getMessage());
        }
    }

    private static List<ReleaseImage> checked(List<ReleaseImage> releases, String where) throws ConfigException {
        if (releases.isEmpty()) {
            throw new ConfigException(where + " names no Go release");
        }
        if (releases.size() > MAX_RELEASES) {
            throw new ConfigException(where + " names " + releases.size() + " releases; at most " + MAX_RELEASES);
        }
        Set<String> names = new HashSet<>();
        for (ReleaseImage r : releases) {
            if (!r.name().isEmpty() && !names.add(r.name())) {
                throw new ConfigException(where + " names " + r.name() + " twice");
            }
        }
        return List.copyOf(releases);
    }

    /** docker/playground/releases as the jar carries it: "1.27", "1.26". */
    static List<String> builtReleases() {
        try (InputStream in = ReleaseImages.class.getResourceAsStream("releases")) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks dev/compilerd/config/releases");
            }
            List<String> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String l = line.replaceFirst("#.*", "").trim();
                if (!l.isEmpty()) {
                    out.add(l);
                }
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the releases resource", e);
        }
    }
}
