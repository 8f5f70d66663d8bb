package dev.compilerd.compile;

import dev.compilerd.sandbox.Sandbox;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Go releases one server offers, each with its own sandbox (image, warm pool), the default first and "goprev"
 * (go.dev/play's word for the previous release) second. Immutable.
 */
public final class Releases {
    /** What go.dev/play's ?v= calls the previous release. */
    public static final String PREVIOUS = "goprev";

    private final Map<String, Sandbox> byName = new LinkedHashMap<>();

    /** @param sandboxes one per release, the default first; each is named by its image's Go release (go1.27) */
    public Releases(List<? extends Sandbox> sandboxes) {
        if (sandboxes.isEmpty()) {
            throw new IllegalArgumentException("no Go release");
        }
        for (Sandbox s : sandboxes) {
            if (byName.putIfAbsent(s.info().release(), s) != null) {
                throw new IllegalArgumentException("two images serve " + s.info().release());
            }
        }
    }

    /** The sandbox a request's ?v= names: none is the default, "goprev" the second, else a release's own name. */
    public Sandbox resolve(String v) throws UnknownReleaseException {
        if (v == null || v.isEmpty()) {
            return all().get(0);
        }
        if (PREVIOUS.equals(v) && byName.size() > 1) {
            return all().get(1);
        }
        Sandbox s = byName.get(v);
        if (s == null) {
            throw new UnknownReleaseException("unknown Go release '" + v.replaceAll("[^\\w.+-]", "?") + "': this server"
                    + " offers " + describe() + " (Go's development branch is not offered)");
        }
        return s;
    }

    /** Every release's sandbox, the default first. */
    public List<Sandbox> all() {
        return List.copyOf(byName.values());
    }

    /** "go1.27 (default), go1.26 (?v=goprev)". */
    public String describe() {
        StringBuilder b = new StringBuilder();
        int i = 0;
        for (String name : byName.keySet()) {
            b.append(i == 0 ? "" : ", ").append(name).append(switch (i) {
                case 0 -> " (default)";
                case 1 -> " (?v=" + PREVIOUS + ")";
                default -> "";
            });
            i++;
        }
        return b.toString();
    }
}
