package dev.compilerd.modules;

import com.google.common.base.Ticker;
import dev.compilerd.config.ModuleSettings;
import dev.compilerd.config.Values;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's side of the go command's module proxy protocol: validates each path, answers from its on-disk cache,
 * or fetches from the upstream proxy (identical fetches in flight once), within each program's {@link Budget}. The
 * sandboxes never reach the upstream: only this does. Thread-safe; one per server.
 */
public final class ModuleProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModuleProxy.class);

    /** What became of one request: the tag of compilerd_module_requests. */
    enum Result {
        HIT, FETCHED, NOT_FOUND, REFUSED, LIMIT, UPSTREAM_ERROR;

        String tag() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final ModuleSettings settings;
    private final Optional<String> sumdb;
    private final Upstream upstream;
    private final DiskCache cache;
    private final Ticker ticker;
    private final SingleFlight<Upstream.Fetch> flights = new SingleFlight<>();
    private final Map<Result, Counter> requests = new EnumMap<>(Result.class);
    private final Counter upstreamBytes;
    private final Counter cacheHits;
    private final Counter upstreamErrors;
    private final Timer upstreamLatency;

    /** Makes this server's cache directory under the configured one and registers the compilerd_module_* meters. */
    public ModuleProxy(ModuleSettings settings, HttpClient http, Ticker ticker, MeterRegistry meters) {
        this.settings = settings;
        this.sumdb = settings.sumdbName();
        this.upstream = new Upstream(settings.proxy().orElseThrow(() -> new IllegalArgumentException("no --module-proxy")),
                http, settings.timeout(), settings.maxFileBytes());
        this.ticker = ticker;
        try {
            this.cache = new DiskCache(settings.cacheDir(), settings.cacheBytes(), ticker);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the module cache under " + settings.cacheDir() + ": " + e, e);
        }
        for (Result r : Result.values()) {
            requests.put(r, Counter.builder("compilerd_module_requests").tag("result", r.tag())
                    .description("module proxy requests from sandboxes, by what became of them").register(meters));
        }
        upstreamBytes = Counter.builder("compilerd_module_upstream_bytes").baseUnit("bytes")
                .description("bytes of module files fetched from the upstream proxy").register(meters);
        cacheHits = Counter.builder("compilerd_module_cache_hits").description("module proxy requests answered from"
                + " the on-disk cache").register(meters);
        upstreamErrors = Counter.builder("compilerd_module_upstream_errors").description("upstream fetches that failed"
                + " (unreachable, timeout, 5xx): each is a 502 to a sandbox").register(meters);
        upstreamLatency = Timer.builder("compilerd_module_upstream_latency").description("time of one upstream fetch,"
                + " body included").publishPercentileHistogram().register(meters);
        Gauge.builder("compilerd_module_cache_bytes", cache, DiskCache::bytes).baseUnit("bytes")
                .description("disk space the module cache holds").register(meters);
        Gauge.builder("compilerd_module_cache_entries", cache, DiskCache::entries)
                .description("files in the module cache").register(meters);
    }

    /**
     * The client the upstream needs: connects within the fetch timeout and follows no redirect (one would lead the
     * server to a host nobody configured, and that the fleet's egress rule does not name: it is a failure instead).
     */
    public static HttpClient upstreamClient(ModuleSettings settings) {
        return HttpClient.newBuilder().connectTimeout(settings.timeout()).followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** A new budget for one program's fetches (bytes and files, per the limits). */
    public Budget budget() {
        return new Budget(settings.fetchBytes(), settings.fetchFiles());
    }

    /**
     * Answers one GOPROXY request path (as the go command sends it, without the leading '/', query stripped by the
     * caller), counting against budget. Never throws for upstream or validation trouble: those are replies.
     */
    public Reply get(String path, Budget budget) throws InterruptedException {
        if (!budget.takeFile()) {
            return count(Result.LIMIT, Reply.text(Reply.LIMIT_STATUS, "over the limit of " + budget.maxFiles()
                    + " module proxy requests per program (--module-fetch-files)", false));
        }
        ProxyRequest request;
        try {
            request = ProxyRequest.parse(path);
        } catch (ProxyRequest.BadPathException e) {
            return count(Result.REFUSED, Reply.text(Reply.REFUSED_STATUS, "refused: " + e.getMessage(), false));
        }
        if (!request.sumdb().isEmpty() && !sumdb.equals(Optional.of(request.sumdb()))) {
            // 404 makes the go command try the database itself, which the sandbox cannot reach: it reports that.
            return count(Result.REFUSED, Reply.text(404, "not found: this proxy relays " + sumdb.map(n -> "only the"
                    + " checksum database " + n).orElse("no checksum database (--module-sumdb off)"), false));
        }
        DiskCache.Hit hit = cache.get(request.path());
        if (hit != null) {
            cacheHits.increment();
            return answer(request, hit.status(), hit.body(), budget, hit.status() == 200 ? Result.HIT : Result.NOT_FOUND);
        }
        Upstream.Fetch fetch = flights.run(request.path(), () -> fetchAndKeep(request));
        if (fetch instanceof Upstream.Found f) {
            return answer(request, 200, f.body(), budget, Result.FETCHED);
        }
        if (fetch instanceof Upstream.Missing m) {
            return answer(request, m.status(), notFoundText(request, m.text()), budget, Result.NOT_FOUND);
        }
        if (fetch instanceof Upstream.TooLarge t) {
            return count(Result.LIMIT, Reply.text(Reply.LIMIT_STATUS, request.path() + ": file larger than the"
                    + " module proxy's limit of " + size(t.limit()) + " (--module-max-file)", false));
        }
        String why = ((Upstream.Failed) fetch).why();
        return count(Result.UPSTREAM_ERROR, Reply.text(Reply.UPSTREAM_FAILURE_STATUS, "the module proxy's upstream"
                + " failed: " + why + " (a failure of the server, not of the program; try again later)", true));
    }

    /** The upstream's answer, kept on disk (a version's file for good, lists and not-founds for the TTL). */
    private Upstream.Fetch fetchAndKeep(ProxyRequest request) throws InterruptedException {
        long start = ticker.read();
        Upstream.Fetch fetch = upstream.fetch(request.path());
        upstreamLatency.record(ticker.read() - start, TimeUnit.NANOSECONDS);
        if (fetch instanceof Upstream.Found f) {
            upstreamBytes.increment(f.body().length);
            cache.put(request.path(), 200, f.body(), request.immutable() ? DiskCache.FOREVER : settings.listTtl());
        } else if (fetch instanceof Upstream.Missing m) {
            cache.put(request.path(), m.status(), notFoundText(request, m.text()), settings.listTtl());
        } else if (fetch instanceof Upstream.Failed f) {
            upstreamErrors.increment();
            LOG.warn("module proxy upstream {} failed for {}: {}", settings.proxy().orElseThrow(), request.path(), f.why());
        }
        return fetch;
    }

    private Reply answer(ProxyRequest request, int status, byte[] body, Budget budget, Result result) {
        if (status != 200) {
            return count(result, Reply.text(status, new String(body, StandardCharsets.UTF_8), false));
        }
        if (!budget.takeBytes(body.length)) {
            return count(Result.LIMIT, Reply.text(Reply.LIMIT_STATUS, request.path() + ": over the limit of "
                    + size(budget.maxBytes()) + " of module files per program (--module-fetch-bytes); "
                    + budget.bytes() + " bytes fetched before this " + body.length + "-byte file", false));
        }
        return count(result, Reply.ok(request.contentType(), body));
    }

    private static byte[] notFoundText(ProxyRequest request, String upstreamText) {
        String text = upstreamText.isBlank() ? "not found: " + request.path() : upstreamText;
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** 16MiB, or 1000 bytes. */
    private static String size(long n) {
        String s = Values.formatBytes(n);
        return s.chars().allMatch(Character::isDigit) ? s + " bytes" : s;
    }

    private Reply count(Result result, Reply reply) {
        requests.get(result).increment();
        return reply;
    }

    /** Requests waiting now for an identical upstream fetch already in flight. */
    int waitingForFetches() {
        return flights.waiting();
    }

    /** The module cache's directory (this server's own). */
    public Path cacheDirectory() {
        return cache.directory();
    }

    /** Removes this server's cache directory; the HttpClient belongs to the caller. */
    @Override
    public void close() {
        cache.close();
    }
}
