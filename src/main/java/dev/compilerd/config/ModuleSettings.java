package dev.compilerd.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The server's module proxy (issue 21): the upstream GOPROXY it fetches from (absent: no proxy, only the image's baked
 * modules), the checksum database it relays, what one program may fetch, and the on-disk cache.
 *
 * @param proxy         the upstream module proxy, without a trailing slash; empty = off
 * @param sumdb         the go command's GOSUMDB: "off", NAME, or NAME+KEY for a database the go command has no key for
 * @param fetchBytes    bytes of module files one program may get
 * @param fetchFiles    proxy requests one program may make
 * @param maxFileBytes  the largest single file fetched or served
 * @param cacheBytes    the on-disk cache's bound
 * @param cacheDir      where each server process makes its own cache directory (removed when it stops)
 * @param listTtl       how long lists, @latest, branch queries, sumdb latest and not-found answers are reused
 * @param timeout       the longest one upstream fetch may take, body included
 */
public record ModuleSettings(
        Optional<URI> proxy,
        String sumdb,
        long fetchBytes,
        int fetchFiles,
        long maxFileBytes,
        long cacheBytes,
        Path cacheDir,
        Duration listTtl,
        Duration timeout) {

    /** GOSUMDB's value that turns checksum verification off. */
    public static final String SUMDB_OFF = "off";

    public boolean enabled() {
        return proxy.isPresent();
    }

    /** The checksum database's name as it appears in proxy paths (sumdb/NAME/...), or empty when it is off. */
    public Optional<String> sumdbName() {
        if (sumdb.equals(SUMDB_OFF)) {
            return Optional.empty();
        }
        int plus = sumdb.indexOf('+');
        return Optional.of(plus < 0 ? sumdb : sumdb.substring(0, plus));
    }
}
