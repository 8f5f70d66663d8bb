package dev.compilerd.it;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real compilerd jar in its own process, on a free loopback port, with its own container prefix. */
final class ServerProcess implements AutoCloseable {
    private static final Pattern SERVING = Pattern.compile("serving on [^:]+:(\\d+)\\b");
    /** Two releases' first containers, on a busy 2-core machine and (ImageRegistryIT) an image read cold, fit. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    final String prefix;
    /** The environment that names the daemon its containers run on (empty: this machine's). */
    private final Map<String, String> dockerEnv;
    private final Process process;
    private final StringBuffer log = new StringBuffer();
    private final Thread reader;
    private int port;
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ServerProcess(String prefix, Map<String, String> dockerEnv, Process process) {
        this.prefix = prefix;
        this.dockerEnv = Map.copyOf(dockerEnv);
        this.process = process;
        this.reader = new Thread(() -> pump(process.getInputStream()), "server-log-" + prefix);
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the jar with dev-safe defaults (no lifetime, no halt) plus {@code flags}; waits until it serves. */
    static ServerProcess start(String prefix, String... flags) throws Exception {
        return start(List.of(), Map.of(), prefix, flags);
    }

    /** As {@link #start(String, String...)}, with JVM options (such as the VM's logging configuration). */
    static ServerProcess start(List<String> jvmOptions, String prefix, String... flags) throws Exception {
        return start(jvmOptions, Map.of(), prefix, flags);
    }

    /** As {@link #start(String, String...)}, on the daemon {@code dockerEnv} names (its flags carry --docker). */
    static ServerProcess start(Map<String, String> dockerEnv, String prefix, String... flags) throws Exception {
        return start(List.of(), dockerEnv, prefix, flags);
    }

    private static ServerProcess start(List<String> jvmOptions, Map<String, String> dockerEnv, String prefix,
                                       String... flags) throws Exception {
        ServerProcess s = launch(jvmOptions, dockerEnv, prefix, flags);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = SERVING.matcher(s.log);
            if (m.find()) {
                s.port = Integer.parseInt(m.group(1));
                return s;
            }
            if (!s.process.isAlive()) {
                throw new IllegalStateException("server exited " + s.process.exitValue() + ":\n" + s.log);
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        s.close();
        throw new IllegalStateException("server did not start in " + START_TIMEOUT + ":\n" + s.log);
    }

    /** Starts the jar without waiting for it to serve (for tests of refusing to start). */
    static ServerProcess launch(String prefix, String... flags) throws IOException {
        return launch(List.of(), Map.of(), prefix, flags);
    }

    static ServerProcess launch(Map<String, String> dockerEnv, String prefix, String... flags) throws IOException {
        return launch(List.of(), dockerEnv, prefix, flags);
    }

    private static ServerProcess launch(List<String> jvmOptions, Map<String, String> dockerEnv, String prefix,
                                        String... flags) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", jar(), "--port", "0", "--bind", "127.0.0.1", "--container-prefix", prefix,
                "--lifetime-max", "0", "--halt=false", "--lameduck", "1s"));
        cmd.addAll(List.of(flags));
        return new ServerProcess(prefix, dockerEnv, new ProcessBuilder(cmd).redirectErrorStream(true).start());
    }

    private static String jar() {
        return System.getProperty("compilerd.jar", "target/compilerd.jar");
    }

    private void pump(InputStream in) {
        try (in) {
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) != -1) {
                String s = new String(buf, 0, n, StandardCharsets.UTF_8);
                log.append(s);
                System.out.print(s);
            }
        } catch (IOException e) {
            // process gone
        }
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    HttpResponse<String> compile(String source) throws IOException, InterruptedException {
        return post("/compile", source);
    }

    /** A raw-body POST to {@code path} (which may carry a query, such as /compile?v=goprev). */
    HttpResponse<String> post(String path, String source) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(source)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Compiles and expects 200: returns the parsed playground response. */
    com.fasterxml.jackson.databind.JsonNode compileOk(String source) throws IOException, InterruptedException {
        HttpResponse<String> r = compile(source);
        if (r.statusCode() != 200) {
            throw new AssertionError("expected 200, got " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** Sends without waiting, each request on its own connection (the HTTP client is asynchronous). */
    java.util.concurrent.CompletableFuture<HttpResponse<String>> compileAsync(String source) {
        return postAsync("/compile", source);
    }

    java.util.concurrent.CompletableFuture<HttpResponse<String>> postAsync(String path, String source) {
        return client.sendAsync(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString(source)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** One unlabelled sample from /metrics (updated before a response is sent, unlike the log). */
    double metric(String name) throws IOException, InterruptedException {
        return metric(name, "");
    }

    /** One sample from /metrics whose labels are exactly {@code labels} ({@code outcome="coalesced"}), or 0 if none. */
    double metric(String name, String labels) throws IOException, InterruptedException {
        String prefix = labels.isEmpty() ? name + " " : name + "{" + labels + ",} ";
        String bare = labels.isEmpty() ? prefix : name + "{" + labels + "} ";
        for (String line : get("/metrics").body().split("\n")) {
            for (String p : List.of(prefix, bare)) {
                if (line.startsWith(p)) {
                    return Double.parseDouble(line.substring(p.length()).trim());
                }
            }
        }
        if (labels.isEmpty()) {
            throw new AssertionError("no metric " + name);
        }
        return 0;
    }

    String log() {
        return log.toString();
    }

    Process process() {
        return process;
    }

    /** Sends SIGTERM with kill(1): Process.destroy() would also close our end of the server's log pipe. */
    void sigterm() throws IOException, InterruptedException {
        signal("TERM");
    }

    void sigkill() throws IOException, InterruptedException {
        signal("KILL");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** Waits for exit and for the log to be fully read; returns the exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("server still running after " + timeout + ":\n" + log);
        }
        reader.join(5000);
        return process.exitValue();
    }

    /** SIGTERM, wait for a clean exit, and check that no container of this server is left. */
    void stopCleanly() throws Exception {
        sigterm();
        int code = awaitExit(Duration.ofSeconds(60));
        if (code != 0) {
            throw new AssertionError("server exited " + code);
        }
        List<String> left = Docker.containers(dockerEnv, prefix);
        close();
        if (!left.isEmpty()) {
            throw new AssertionError("containers left behind: " + left);
        }
    }

    /** Kills the server if still running and removes any container it left, so no test leaks one. */
    @Override
    public void close() throws IOException {
        try {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            Docker.removeAll(dockerEnv, prefix);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping the server", e);
        }
    }
}
