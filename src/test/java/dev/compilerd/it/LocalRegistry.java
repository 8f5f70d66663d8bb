package dev.compilerd.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real container registry (Debian's docker-registry, the CNCF distribution registry) on a free 127.0.0.1 port,
 * storing into a temporary directory, started and stopped by the test. Docker treats 127.0.0.0/8 registries as
 * insecure-allowed, so pushes and pulls need no TLS.
 */
final class LocalRegistry implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final String MANIFEST_TYPES = "application/vnd.docker.distribution.manifest.v2+json,"
            + "application/vnd.oci.image.manifest.v1+json";

    private final Path dir;
    private final int port;
    private final Process process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private LocalRegistry(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    static LocalRegistry start() throws Exception {
        Path dir = Files.createTempDirectory("compilerd-it-registry-");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path config = dir.resolve("config.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: false
                http:
                  addr: 127.0.0.1:%d
                """.formatted(dir.resolve("storage"), port));
        Process p = new ProcessBuilder("docker-registry", "serve", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("registry.log").toFile()).start();
        LocalRegistry r = new LocalRegistry(dir, port, p);
        try {
            await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (!p.isAlive()) {
                    throw new IllegalStateException("docker-registry exited:\n" + Files.readString(dir.resolve("registry.log")));
                }
                return r.status(HttpRequest.newBuilder(r.uri("/v2/")).GET()) == 200;
            });
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
        return r;
    }

    /** HOST:PORT, the first part of an image reference in this registry. */
    String address() {
        return "127.0.0.1:" + port;
    }

    /** The digest this registry serves for repository:tag (its Docker-Content-Digest header). */
    String manifestDigest(String repository, String tag) throws IOException, InterruptedException {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(uri("/v2/" + repository + "/manifests/" + tag))
                .header("Accept", MANIFEST_TYPES).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() != 200) {
            throw new AssertionError("HEAD manifest " + repository + ":" + tag + " answered " + r.statusCode());
        }
        return r.headers().firstValue("Docker-Content-Digest").orElseThrow();
    }

    /** Where the registry keeps the bytes of a blob or manifest, to tamper with them. */
    Path blob(String digest) {
        String hex = digest.substring("sha256:".length());
        return dir.resolve("storage/docker/registry/v2/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex)
                .resolve("data");
    }

    private URI uri(String path) {
        return URI.create("http://" + address() + path);
    }

    private int status(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } finally {
            Commands.ok(Map.of(), List.of("rm", "-rf", dir.toString()));
        }
    }
}
