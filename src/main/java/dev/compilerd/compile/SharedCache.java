package dev.compilerd.compile;

import com.google.common.base.Ticker;
import com.google.common.hash.Hashing;
import dev.compilerd.config.CacheSettings;
import dev.compilerd.logging.LogText;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared result cache on a Valkey/Redis server (Memorystore in the fleet), through Lettuce: results outlive the
 * VM that ran them. A lookup waits at most the configured timeout and a breaker skips the store while it fails,
 * so a slow, full or dead store never fails or slows a request beyond that timeout. Values carry a version byte
 * and a SHA-256 of key and body, so a corrupt, truncated or misplaced value is a miss. A server that runs a program
 * marks it there (SET NX with an expiry), so the fleet runs each program once at a time ({@link FleetRuns}).
 * Thread-safe.
 */
public final class SharedCache implements SharedTier, AutoCloseable {
    /** Failures in a row that open the breaker, and how long it then stays open before one trial lookup. */
    static final int BREAKER_FAILURES = 5;
    static final Duration BREAKER_OPEN = Duration.ofSeconds(10);
    /** How long to wait between attempts to connect to a store that is not there. */
    static final Duration RECONNECT = Duration.ofSeconds(2);
    /** Commands queued while the connection is busy; beyond this they fail at once. */
    static final int REQUEST_QUEUE = 1024;
    private static final byte VERSION = 1;
    private static final int DIGEST = 32;
    private static final String PREFIX = "compilerd:result:";
    /** Where a server marks what it holds: a program it runs (others wait for its answer), a turn to retire. */
    private static final String MARK = "compilerd:mark:";
    /** Takes a mark away only if it is still the one this claim set (it may have expired and be another's now). */
    private static final String RELEASE =
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
    private static final Logger LOG = LoggerFactory.getLogger(SharedCache.class);

    private final Duration ttl;
    private final Duration timeout;
    private final int maxValueBytes;
    private final Breaker breaker;
    private final ClientResources resources;
    private final RedisClient client;
    private final RedisURI uri;
    private final Counter hits;
    private final Counter misses;
    private final Counter errors;
    private final Timer lookups;
    private volatile StatefulRedisConnection<byte[], byte[]> connection;
    private volatile boolean closed;

    public SharedCache(CacheSettings settings, Ticker ticker, MeterRegistry meters) {
        URI shared = settings.shared().orElseThrow();
        this.ttl = settings.sharedTtl();
        this.timeout = settings.sharedTimeout();
        this.maxValueBytes = settings.sharedMaxValueBytes();
        this.breaker = new Breaker(BREAKER_FAILURES, BREAKER_OPEN, ticker);
        this.uri = RedisURI.create(shared.toString());
        uri.setTimeout(timeout);
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(1)
                .reconnectDelay(Delay.constant(RECONNECT)).build();
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(REQUEST_QUEUE)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(1)).build())
                .build());
        this.hits = meters.counter("compilerd_shared_cache_hits");
        this.misses = meters.counter("compilerd_shared_cache_misses");
        this.errors = meters.counter("compilerd_shared_cache_errors");
        this.lookups = Timer.builder("compilerd_shared_cache_lookup").description("shared-tier lookups, hits and misses")
                .publishPercentileHistogram().register(meters);
        Gauge.builder("compilerd_shared_cache_breaker_open", breaker, b -> b.isOpen() ? 1 : 0)
                .description("1 while the shared tier is skipped after failures").register(meters);
        connect();
    }

    /** Connects in the background, again and again until the store answers: the server never waits for it. */
    private void connect() {
        if (closed) {
            return;
        }
        client.connectAsync(ByteArrayCodec.INSTANCE, uri).whenComplete((c, e) -> {
            if (e == null) {
                connection = c;
                LOG.info("shared cache connected: {}:{}", uri.getHost(), uri.getPort());
            } else {
                LOG.warn("shared cache not reachable ({}); retrying in {} s", LogText.escape(String.valueOf(e.getMessage())),
                        RECONNECT.toSeconds());
                resources.eventExecutorGroup().schedule(this::connect, RECONNECT.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    @Override
    public Optional<byte[]> get(String key) {
        StatefulRedisConnection<byte[], byte[]> c = connection;
        if (c == null || !breaker.allow()) {
            errors.increment();
            return Optional.empty();
        }
        long t0 = System.nanoTime();
        byte[] k = key(key);
        try {
            // GETRANGE, not GET: a value larger than any we write is never read whole.
            byte[] value = c.async().getrange(k, 0, 1 + DIGEST + maxValueBytes).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            breaker.success();
            boolean absent = value == null || value.length == 0;
            Optional<byte[]> body = absent ? Optional.empty() : decode(k, value, maxValueBytes);
            (body.isPresent() ? hits : misses).increment();
            if (!absent && body.isEmpty()) {
                errors.increment(); // corrupt, foreign or oversized: a miss
            }
            return body;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception e) { // timeout, disconnected, rejected, store error
            breaker.failure();
            errors.increment();
            return Optional.empty();
        } finally {
            lookups.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void put(String key, byte[] response) {
        StatefulRedisConnection<byte[], byte[]> c = connection;
        if (c == null || response.length > maxValueBytes || breaker.isOpen()) {
            return;
        }
        byte[] k = key(key);
        c.async().set(k, encode(k, response), SetArgs.Builder.px(ttl.toMillis())).whenComplete((ok, e) -> {
            if (e != null) {
                errors.increment();
            }
        });
    }

    @Override
    public Claim claim(String key, Duration ttl) {
        StatefulRedisConnection<byte[], byte[]> c = connection;
        if (c == null || breaker.failing() || !breaker.allow()) { // a lookup just failed: do not wait on the store twice
            return Claim.UNSHARED;
        }
        byte[] mark = (MARK + key).getBytes(StandardCharsets.UTF_8);
        byte[] token = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);
        try {
            String set = c.async().set(mark, token, SetArgs.Builder.nx().px(ttl.toMillis()))
                    .get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            breaker.success();
            if (!"OK".equals(set)) {
                return Claim.THEIRS;
            }
            AtomicBoolean released = new AtomicBoolean();
            return new Claim(true, () -> {
                if (released.compareAndSet(false, true)) {
                    c.async().<Long>eval(RELEASE, ScriptOutputType.INTEGER, new byte[][] {mark}, token)
                            .whenComplete((n, e) -> {
                                if (e != null) {
                                    errors.increment(); // the mark expires by itself
                                }
                            });
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Claim.UNSHARED;
        } catch (Exception e) { // timeout, disconnected, rejected, store error
            breaker.failure();
            errors.increment();
            return Claim.UNSHARED;
        }
    }

    @Override
    public boolean claimed(String key) {
        StatefulRedisConnection<byte[], byte[]> c = connection;
        if (c == null || breaker.failing() || !breaker.allow()) {
            return false;
        }
        try {
            Long n = c.async().exists((MARK + key).getBytes(StandardCharsets.UTF_8))
                    .get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            breaker.success();
            return n != null && n > 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            breaker.failure();
            errors.increment();
            return false;
        }
    }

    private static byte[] key(String key) {
        return (PREFIX + key).getBytes(StandardCharsets.UTF_8);
    }

    /** Version byte, SHA-256 over key and body, body. */
    static byte[] encode(byte[] key, byte[] body) {
        return ByteBuffer.allocate(1 + DIGEST + body.length).put(VERSION).put(digest(key, body)).put(body).array();
    }

    /** The body, or empty if the value is not one this version wrote for this key, or too large. */
    static Optional<byte[]> decode(byte[] key, byte[] value, int maxValueBytes) {
        if (value.length < 1 + DIGEST || value.length > 1 + DIGEST + maxValueBytes || value[0] != VERSION) {
            return Optional.empty();
        }
        byte[] body = Arrays.copyOfRange(value, 1 + DIGEST, value.length);
        boolean intact = Arrays.equals(Arrays.copyOfRange(value, 1, 1 + DIGEST), digest(key, body));
        return intact ? Optional.of(body) : Optional.empty();
    }

    private static byte[] digest(byte[] key, byte[] body) {
        return Hashing.sha256().newHasher().putInt(key.length).putBytes(key).putBytes(body).hash().asBytes();
    }

    @Override
    public void close() {
        closed = true;
        StatefulRedisConnection<byte[], byte[]> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
