package dev.compilerd.modules;

import dev.compilerd.compile.ManualTicker;
import dev.compilerd.config.ModuleSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A real {@link FakeModuleUpstream} on 127.0.0.1, and a {@link ModuleProxy} in front of it made per test. */
abstract class ModuleProxyTestBase {
    static final String TOUR = "golang.org/x/tour";
    static final String TOUR_ZIP = TOUR + "/@v/v0.1.0.zip";
    static final Duration TTL = Duration.ofMinutes(5);

    @TempDir
    Path cacheParent;
    final ManualTicker ticker = new ManualTicker();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    FakeModuleUpstream upstream;
    ModuleProxy proxy;

    @BeforeEach
    void startUpstream() throws IOException {
        upstream = FakeModuleUpstream.start();
        upstream.module(TOUR, "v0.1.0", Map.of("pic/pic.go", "package pic\n\nfunc Show() {}\n"));
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        upstream.close();
    }

    /** A proxy with generous limits, the sumdb off, a 5 s upstream timeout. */
    ModuleProxy proxy() {
        return proxy(settings(1 << 20, 100, 1 << 20, Duration.ofSeconds(5), "off"));
    }

    ModuleProxy proxy(ModuleSettings settings) {
        proxy = new ModuleProxy(settings, ModuleProxy.upstreamClient(settings), ticker, meters);
        return proxy;
    }

    ModuleSettings settings(long fetchBytes, int fetchFiles, long maxFile, Duration timeout, String sumdb) {
        return new ModuleSettings(Optional.of(upstream.uri()), sumdb, fetchBytes, fetchFiles, maxFile, 64L << 20,
                cacheParent, TTL, timeout);
    }

    /** The files in the proxy's cache directory (temporary ones included). */
    List<Path> cachedFiles() throws IOException {
        try (Stream<Path> s = Files.list(proxy.cacheDirectory())) {
            return s.toList();
        }
    }

    double requests(String result) {
        return meters.get("compilerd_module_requests").tag("result", result).counter().count();
    }

    static String text(Reply r) throws IOException {
        return r.body().asCharSource(StandardCharsets.UTF_8).read();
    }
}
