package dev.compilerd.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The module proxy's flags (a picocli mixin of {@link Flags}, which stays readable); used once, by one thread. */
final class ModuleFlags {
    @Option(names = "--module-proxy", description = "upstream Go module proxy (GOPROXY protocol) the server fetches"
            + " modules from for the sandboxes, e.g. https://proxy.golang.org; empty = off: only the image's modules"
            + " (default \"${DEFAULT-VALUE}\")")
    String proxy = "";
    @Option(names = "--module-sumdb", description = "checksum database the go command verifies modules with, relayed"
            + " through the proxy: NAME, NAME+KEY, or off for private proxies and tests (default ${DEFAULT-VALUE})")
    String sumdb = Defaults.MODULE_SUMDB;
    @Option(names = "--module-fetch-bytes", converter = Flags.Size.class,
            description = "bytes of module files one program may get (default ${DEFAULT-VALUE})")
    long fetchBytes = Defaults.MODULE_FETCH_BYTES;
    @Option(names = "--module-fetch-files", description = "proxy requests one program may make (default ${DEFAULT-VALUE})")
    int fetchFiles = Defaults.MODULE_FETCH_FILES;
    @Option(names = "--module-max-file", converter = Flags.Size.class,
            description = "largest single module file, e.g. a module's zip (default ${DEFAULT-VALUE})")
    long maxFile = Defaults.MODULE_MAX_FILE_BYTES;
    @Option(names = "--module-cache-bytes", converter = Flags.Size.class,
            description = "bound of the on-disk module cache (default ${DEFAULT-VALUE})")
    long cacheBytes = Defaults.MODULE_CACHE_BYTES;
    @Option(names = "--module-cache-dir", description = "directory in which each server makes its own module cache,"
            + " removed when it stops (default ${DEFAULT-VALUE})")
    String cacheDir = Defaults.MODULE_CACHE_DIR;
    @Option(names = "--module-list-ttl", converter = Flags.Time.class, description = "how long version lists, @latest"
            + " and not-found answers are reused (default ${DEFAULT-VALUE})")
    Duration listTtl = Defaults.MODULE_LIST_TTL;
    @Option(names = "--module-timeout", converter = Flags.Time.class, description = "longest upstream fetch, body"
            + " included; below --build-timeout (default ${DEFAULT-VALUE})")
    Duration timeout = Defaults.MODULE_TIMEOUT;

    /** Checks the values (and against the build timeout, which module downloads count against) and groups them. */
    ModuleSettings toSettings(Checks c, Duration buildTimeout) {
        Optional<URI> upstream = upstream(c);
        c.that(sumdb.equals(ModuleSettings.SUMDB_OFF) || sumdb.matches("[a-z0-9][a-z0-9.-]*[a-z0-9](\\+[A-Za-z0-9+/=]+)?"),
                "--module-sumdb must be off, a name such as sum.golang.org, or NAME+KEY (GOSUMDB's forms), not '"
                        + sumdb + "'");
        c.range("module-fetch-bytes", fetchBytes, 64L << 10, 1L << 30);
        c.range("module-fetch-files", fetchFiles, 1, 100_000);
        c.range("module-max-file", maxFile, 1L << 10, fetchBytes);
        c.range("module-cache-bytes", cacheBytes, 1L << 20, 1L << 40);
        c.nonEmpty("module-cache-dir", cacheDir);
        c.that(listTtl.compareTo(Duration.ofSeconds(1)) >= 0 && listTtl.compareTo(Duration.ofDays(1)) <= 0,
                "--module-list-ttl must be between 1s and 24h, not " + Values.format(listTtl));
        c.positive("module-timeout", timeout);
        c.that(upstream.isEmpty() || timeout.compareTo(buildTimeout) < 0, "--module-timeout (" + Values.format(timeout) + ") must be below"
                + " --build-timeout (" + Values.format(buildTimeout) + "): a stuck upstream must be reported before the"
                + " build's deadline");
        return new ModuleSettings(upstream, sumdb, fetchBytes, fetchFiles, maxFile, cacheBytes,
                Path.of(cacheDir.isBlank() ? "." : cacheDir.strip()), listTtl, timeout);
    }

    private Optional<URI> upstream(Checks c) {
        if (proxy.isBlank()) {
            return Optional.empty();
        }
        String p = proxy.strip();
        try {
            URI u = new URI(p.endsWith("/") ? p.substring(0, p.length() - 1) : p);
            boolean ok = ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null
                    && u.getRawQuery() == null && u.getRawFragment() == null && u.getRawUserInfo() == null;
            c.that(ok, "--module-proxy must be an http:// or https:// URL without query, fragment or credentials,"
                    + " like https://proxy.golang.org, not '" + proxy + "'");
            return ok ? Optional.of(u) : Optional.empty();
        } catch (URISyntaxException e) {
            c.that(false, "--module-proxy: " + e.getMessage());
            return Optional.empty();
        }
    }
}
