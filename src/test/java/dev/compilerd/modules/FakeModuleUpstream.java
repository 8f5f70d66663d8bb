package dev.compilerd.modules;

import com.google.common.hash.Hashing;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A real HTTP module proxy on 127.0.0.1 (a free port) serving modules a test writes, in the proxy's file layout:
 * {@link #module} makes MODULE/@v/VERSION.info, .mod and .zip (entries under MODULE@VERSION/, go.mod included, as the go
 * command accepts them), MODULE/@v/list and MODULE/@latest. It counts requests per path, can fail, hold or cut a path,
 * and can be stopped to play an unreachable upstream. Thread-safe. Used by unit tests and by the sandbox's ITs.
 */
public final class FakeModuleUpstream implements AutoCloseable {
    /** The .info Time of a module's first version; later versions are a day apart, so @latest is deterministic. */
    public static final Instant FIRST_TIME = Instant.parse("2024-01-02T03:04:05Z");

    private static final String NODELAY = "sun.net.httpserver.nodelay";

    private record Response(int status, String contentType, byte[] body) {}

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-module-upstream");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Response> files = new ConcurrentHashMap<>();
    private final Map<String, Map<String, byte[]>> modules = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    private final Map<String, Hold> holds = new ConcurrentHashMap<>();
    private final Set<String> cuts = ConcurrentHashMap.newKeySet();
    private final Set<String> chunked = ConcurrentHashMap.newKeySet();
    private final AtomicInteger versions = new AtomicInteger();

    private FakeModuleUpstream(HttpServer server) {
        this.server = server;
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * Starts serving on 127.0.0.1 at a free port. Turns on TCP_NODELAY for the JDK's HTTP server in this JVM (unless
     * set otherwise), read when that server first starts: without it the headers and the body go out in two small
     * writes and every answer waits some 40 ms for the client's delayed ACK.
     */
    public static FakeModuleUpstream start() throws IOException {
        if (System.getProperty(NODELAY) == null) {
            System.setProperty(NODELAY, "true");
        }
        return new FakeModuleUpstream(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
    }

    /** The GOPROXY URL, such as http://127.0.0.1:PORT. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /**
     * Adds one version of a module: {@code files} maps paths inside the module (main.go, sub/x.go) to their text; a
     * go.mod is added ("module PATH", go 1.21) unless the map has one. Updates the module's list and @latest.
     */
    public FakeModuleUpstream module(String path, String version, Map<String, String> moduleFiles) {
        Map<String, String> all = new TreeMap<>(moduleFiles);
        all.putIfAbsent("go.mod", "module " + path + "\n\ngo 1.21\n");
        String prefix = ModulePaths.escape(path) + "/@v/" + ModulePaths.escape(version);
        String info = "{\"Version\":\"" + version + "\",\"Time\":\""
                + FIRST_TIME.plus(Duration.ofDays(versions.getAndIncrement())) + "\"}\n";
        Map<String, byte[]> contents = new TreeMap<>();
        all.forEach((name, text) -> contents.put(path + "@" + version + "/" + name, text.getBytes(StandardCharsets.UTF_8)));
        modules.computeIfAbsent(path, p -> new ConcurrentHashMap<>()).put(version, info.getBytes(StandardCharsets.UTF_8));
        files.put(prefix + ".info", new Response(200, "application/json", info.getBytes(StandardCharsets.UTF_8)));
        files.put(prefix + ".mod", new Response(200, "text/plain; charset=utf-8",
                all.get("go.mod").getBytes(StandardCharsets.UTF_8)));
        files.put(prefix + ".zip", new Response(200, "application/zip", zip(contents)));
        List<String> list = new ArrayList<>(modules.get(path).keySet());
        list.sort(Semver::compare);
        String latest = list.stream().filter(v -> !Semver.isPrerelease(v)).reduce((a, b) -> b)
                .orElse(list.get(list.size() - 1));
        files.put(ModulePaths.escape(path) + "/@v/list", new Response(200, "text/plain; charset=utf-8",
                (String.join("\n", list) + "\n").getBytes(StandardCharsets.UTF_8)));
        files.put(ModulePaths.escape(path) + "/@latest", new Response(200, "application/json", modules.get(path).get(latest)));
        return this;
    }

    /** The go.sum lines of a module version this upstream serves (h1: hashes of its zip's files and of its go.mod). */
    public String goSum(String path, String version) {
        String prefix = ModulePaths.escape(path) + "/@v/" + ModulePaths.escape(version);
        Map<String, byte[]> zipped = new TreeMap<>();
        try (var in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(bytes(prefix + ".zip")))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                zipped.put(e.getName(), in.readAllBytes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return path + " " + version + " " + hash1(zipped) + "\n" + path + " " + version + "/go.mod "
                + hash1(Map.of("go.mod", bytes(prefix + ".mod"))) + "\n";
    }

    /** The bytes served at a path (as the go command asks for it, without the leading slash). */
    public byte[] bytes(String path) {
        Response r = files.get(path);
        if (r == null) {
            throw new IllegalArgumentException("nothing served at " + path);
        }
        return r.body.clone();
    }

    /** Serves any body at a path (a sumdb file, a huge file, a malformed one). */
    public FakeModuleUpstream serve(String path, int status, String contentType, byte[] body) {
        files.put(path, new Response(status, contentType, body.clone()));
        return this;
    }

    /** From now on answers this path with the status (and a short text body), until {@link #heal}. */
    public FakeModuleUpstream fail(String path, int status) {
        failures.put(path, status);
        return this;
    }

    /** Ends a {@link #fail} or {@link #cut} of this path. */
    public FakeModuleUpstream heal(String path) {
        failures.remove(path);
        cuts.remove(path);
        return this;
    }

    /** Sends this path's body in chunks, without a Content-Length. */
    public FakeModuleUpstream chunked(String path) {
        chunked.add(path);
        return this;
    }

    /** Sends half of this path's body with the whole body's Content-Length, then drops the connection. */
    public FakeModuleUpstream cut(String path) {
        cuts.add(path);
        return this;
    }

    /** Holds requests for a path until the returned hold is released (a slow upstream, or one in flight). */
    public Hold hold(String path) {
        Hold h = new Hold();
        holds.put(path, h);
        return h;
    }

    /** A held path: knows when requests arrive; lets them all go on {@link #release}. */
    public static final class Hold {
        private final CountDownLatch arrived = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        /** Waits until a request for the held path has arrived. */
        public boolean awaitArrival(Duration timeout) throws InterruptedException {
            return arrived.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        public void release() {
            released.countDown();
        }
    }

    /** Requests that arrived for a path (without the leading slash), served or not. */
    public int requests(String path) {
        AtomicInteger n = requests.get(path);
        return n == null ? 0 : n.get();
    }

    public int totalRequests() {
        return requests.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** Stops listening: from now on the upstream is unreachable (connections refused). */
    public void stop() {
        holds.values().forEach(Hold::release);
        server.stop(0);
    }

    @Override
    public void close() {
        stop();
        threads.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath().substring(1); // the go command writes ! as %21
            requests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            Hold hold = holds.get(path);
            if (hold != null) {
                hold.arrived.countDown();
                hold.released.await();
            }
            Integer failure = failures.get(path);
            Response r = failure != null ? new Response(failure, "text/plain", ("failing: " + path).getBytes(StandardCharsets.UTF_8))
                    : files.getOrDefault(path, new Response(404, "text/plain; charset=utf-8",
                            ("not found: " + path).getBytes(StandardCharsets.UTF_8)));
            exchange.getResponseHeaders().set("Content-Type", r.contentType);
            exchange.sendResponseHeaders(r.status, r.body.length == 0 ? -1 : chunked.contains(path) ? 0 : r.body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(r.body, 0, cuts.contains(path) ? r.body.length / 2 : r.body.length);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A zip as the go command builds them: the given entries, in order, with a fixed time. */
    private static byte[] zip(Map<String, byte[]> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setTime(FIRST_TIME.toEpochMilli());
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The go command's "h1:" hash: SHA-256 over the sorted lines "SHA256HEX  NAME\n" of the files. */
    private static String hash1(Map<String, byte[]> named) {
        StringBuilder summary = new StringBuilder();
        new TreeMap<>(named).forEach((name, body) ->
                summary.append(Hashing.sha256().hashBytes(body)).append("  ").append(name).append('\n'));
        return "h1:" + Base64.getEncoder().encodeToString(
                Hashing.sha256().hashString(summary, StandardCharsets.UTF_8).asBytes());
    }
}
