package dev.compilerd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.compilerd.compile.ResultCache;
import dev.compilerd.config.ConfigParser;
import dev.compilerd.config.ReleaseImage;
import dev.compilerd.config.ReleaseImages;
import dev.compilerd.sandbox.Program;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The fleet's images end to end, with real parts: scripts/release-images.sh pushes this machine's sandbox images to
 * a real local registry and writes images.lock; vm/startup.sh --images pulls exactly those digests onto a second,
 * empty Docker daemon (a fresh VM); servers there report and key by the registry digest, share a real Valkey's
 * entries across servers and across a removal and a re-pull; a lock that does not match its images, and registry
 * content that does not hash to its digest, are refused. Logs the push, pull and boot-to-healthy times.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImageRegistryIT {
    private static final Path ROOT = Path.of(System.getProperty("user.dir"));
    private static final String REPOSITORY = "compilerd-it/playground";

    static LocalRegistry registry;
    static ScratchDaemon daemon;
    static ValkeyContainer valkey;
    static Path work;
    static Path lock;
    static List<ReleaseImage> locked;
    static List<String> imagesBeforeThePull;
    static String pullLog;
    static ServerProcess a;

    @BeforeAll
    static void releaseThenBootOnTheScratchDaemon() throws Exception {
        registry = LocalRegistry.start();
        daemon = ScratchDaemon.start();
        valkey = new ValkeyContainer();
        valkey.start();
        work = Files.createTempDirectory("compilerd-it-release-");
        // --no-build: the local images are current (test.sh built them), and a test never rebuilds shared tags.
        Commands.ok(Map.of(), work, List.of(script("scripts/release-images.sh"), "--no-build",
                registry.address() + "/compilerd-it"));
        lock = work.resolve("images.lock");
        locked = ReleaseImages.readLock(lock);
        imagesBeforeThePull = daemon.repoDigests();

        long start = Instant.now().getEpochSecond();
        pullLog = Commands.ok(daemon.env(), List.of(script("vm/startup.sh"), "--images", lock.toString()));
        a = server("compilerd-it-registry-a");
        String healthy = Commands.ok(Map.of(), List.of(script("vm/await-healthy.sh"), "--since", Long.toString(start),
                a.uri("/healthz").toString()));
        System.out.println("ImageRegistryIT: pull path, recipe start to a healthy server: " + healthy);
    }

    @AfterAll
    static void stop() throws Exception {
        try (LocalRegistry r = registry; ScratchDaemon d = daemon) {
            if (a != null) {
                a.close();
            }
            if (valkey != null) {
                valkey.stop();
            }
            // Only the registry-named copies release-images.sh tagged here; compilerd/playground:* stay as they are.
            for (String release : registry == null ? List.<String>of() : releaseNames()) {
                Docker.run("docker", "rmi", registry.address() + "/" + REPOSITORY + ":" + release);
            }
            if (work != null) {
                Commands.ok(Map.of(), List.of("rm", "-rf", work.toString()));
            }
        }
    }

    @Test
    @Order(1)
    void releaseImagesLocksEveryReleaseInOrderByTheDigestTheRegistryServes() throws Exception {
        assertThat(locked).extracting(ReleaseImage::name).containsExactlyElementsOf(releaseNames());
        for (ReleaseImage r : locked) {
            assertThat(r.image()).isEqualTo(registry.address() + "/" + REPOSITORY + "@"
                    + registry.manifestDigest(REPOSITORY, r.name()));
        }
    }

    @Test
    @Order(2)
    void theRecipePulledExactlyTheLockedDigestsOntoADaemonThatHadNoneAndBuiltNothing() throws Exception {
        assertThat(imagesBeforeThePull).isEmpty();
        assertThat(daemon.repoDigests()).containsExactlyInAnyOrderElementsOf(
                locked.stream().map(ReleaseImage::image).toList());
        for (ReleaseImage r : locked) {
            assertThat(pullLog).contains(r.name() + ": pulling " + r.image(), r.name() + ": " + r.image() + " ready in");
        }
        assertThat(pullLog).doesNotContain("building", "debootstrap");
    }

    @Test
    @Order(3)
    void aServerOnThePulledImagesReportsTheRegistryDigestAndKeysTheSharedTierByIt() throws Exception {
        for (int i = 0; i < locked.size() && i < 2; i++) {
            JsonNode v = ServerProcess.JSON.readTree(a.get(i == 0 ? "/version" : "/version?v=goprev").body());
            assertThat(v.get("Image").asText()).isEqualTo(digest(locked.get(i)));
            assertThat(v.get("Release").asText()).isEqualTo(locked.get(i).name());
        }
        String source = SharedCacheIT.hello("keyed by digest " + System.nanoTime());
        a.compileOk(source);
        awaitStored(key(digest(locked.get(0)), source));
        String id = daemon.docker("image", "inspect", "-f", "{{.Id}}", locked.get(0).image()).strip();
        assertThat(id).isNotEqualTo(digest(locked.get(0)));
        assertThat(stored(key(id, source))).as("a key by the local image id").isFalse();
    }

    @Test
    @Order(4)
    void twoServersOnPulledImagesShareAnswersAlsoAfterTheImageIsRemovedAndPulledAgain() throws Exception {
        String source = SharedCacheIT.hello("across servers and pulls " + System.nanoTime());
        JsonNode first = a.compileOk(source);
        awaitStored(key(digest(locked.get(0)), source));
        // One server at a time: what B reads is what A wrote, and a 2-core machine starts B's sandboxes in time.
        a.stopCleanly();
        a = null;
        try (ServerProcess b = server("compilerd-it-registry-b")) {
            assertThat(b.compileOk(source)).isEqualTo(first);
            assertThat(containersHandedOut(b)).as("containers B used").isZero();
            assertThat(b.metric("compilerd_shared_cache_hits_total")).isPositive();
            b.stopCleanly();
        }

        String image = locked.get(0).image();
        daemon.docker("rmi", image);
        assertThat(daemon.repoDigests()).doesNotContain(image);
        String repull = Commands.ok(daemon.env(), List.of(script("vm/startup.sh"), "--images", lock.toString()));
        assertThat(repull).contains(locked.get(0).name() + ": pulling " + image);
        assertThat(daemon.repoDigests()).contains(image);

        try (ServerProcess again = server("compilerd-it-registry-c")) {
            assertThat(again.compileOk(source)).isEqualTo(first);
            assertThat(containersHandedOut(again)).as("containers used after the re-pull").isZero();
            assertThat(again.metric("compilerd_shared_cache_hits_total")).isPositive();
            again.stopCleanly();
        }
    }

    @Test
    @Order(5)
    void aLockWithAWrongDigestOrAnotherReleasesImageIsRefusedByTheRecipeAndTheServer() throws Exception {
        ReleaseImage first = locked.get(0);
        String unknown = first.image().replace(digest(first), "sha256:" + sha256("no such image"));
        Path wrong = lockOf(List.of(new ReleaseImage(first.name(), unknown)));
        Commands.Result pulled = Commands.run(daemon.env(), ROOT, startup(wrong));
        assertThat(pulled.exit()).isNotZero();
        assertThat(pulled.output()).contains("refusing " + first.name() + ": cannot pull " + unknown, "manifest unknown");
        assertRefusedByTheServer(wrong, "sandbox image '" + unknown + "' is missing");

        if (locked.size() >= 2) {
            ReleaseImage second = locked.get(1);
            Path swapped = lockOf(List.of(new ReleaseImage(first.name(), second.image()),
                    new ReleaseImage(second.name(), first.image())));
            Commands.Result r = Commands.run(daemon.env(), ROOT, startup(swapped));
            assertThat(r.exit()).isNotZero();
            assertThat(r.output()).contains("refusing " + second.image(), "not for " + first.name());
            assertRefusedByTheServer(swapped, "not " + first.name() + " as configured");
        }
    }

    @Test
    @Order(6)
    void registryContentThatDoesNotHashToTheLockedDigestIsRefused() throws Exception {
        ReleaseImage last = locked.get(locked.size() - 1);
        if (a != null) { // still up when an earlier test failed: its warm containers hold the image
            a.close();
            a = null;
        }
        // The refused servers' containers (docker run --rm) may still be on their way out.
        await().atMost(Duration.ofSeconds(60)).until(() -> daemon.docker("ps", "-aq").isBlank());
        daemon.docker("rmi", last.image());
        Path manifest = registry.blob(digest(last));
        // Still valid JSON, so the registry serves it; only its digest differs.
        Files.writeString(manifest, " " + Files.readString(manifest, StandardCharsets.UTF_8), StandardCharsets.UTF_8);

        Commands.Result r = Commands.run(daemon.env(), ROOT, startup(lock));
        assertThat(r.exit()).isNotZero();
        assertThat(r.output()).contains("refusing " + last.name(), "manifest verification failed");
        assertThat(daemon.repoDigests()).doesNotContain(last.image());
    }

    private static void assertRefusedByTheServer(Path badLock, String message) throws Exception {
        List<String> flags = new ArrayList<>(daemon.serverFlags());
        flags.addAll(List.of("--images", badLock.toString()));
        try (ServerProcess s = ServerProcess.launch(daemon.env(), "compilerd-it-registry-bad", flags.toArray(String[]::new))) {
            assertThat(s.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
            assertThat(s.log()).contains("refusing to start", message).doesNotContain("serving on");
            assertThat(Docker.containers(daemon.env(), s.prefix)).isEmpty();
        }
    }

    /** Containers a server handed to requests, over every release's pool (a cache hit takes none). */
    private static double containersHandedOut(ServerProcess s) throws Exception {
        double n = 0;
        String metrics = s.get("/metrics").body();
        for (ReleaseImage r : locked) {
            String release = "release=\"" + r.name() + "\"";
            assertThat(metrics).contains("compilerd_pool_hits_total{" + release, "compilerd_pool_misses_total{" + release);
            n += s.metric("compilerd_pool_hits_total", release) + s.metric("compilerd_pool_misses_total", release);
        }
        return n;
    }

    /** A server on the scratch daemon, serving the lock's releases, sharing the Valkey store. */
    private static ServerProcess server(String prefix) throws Exception {
        List<String> flags = new ArrayList<>(daemon.serverFlags());
        // What this proves is that the servers share one key space; how long a lookup may take is SharedCacheIT's
        // subject, and a fresh server's first lookup on a busy machine can take longer than the default 250 ms.
        flags.addAll(List.of("--images", lock.toString(), "--shared-cache", valkey.url(), "--shared-cache-timeout", "2s",
                "--pool", "1"));
        ServerProcess s = ServerProcess.start(daemon.env(), prefix, flags.toArray(String[]::new));
        await().atMost(Duration.ofSeconds(30)).until(() -> s.log().contains("shared cache connected"));
        return s;
    }

    private static List<String> releaseNames() throws Exception {
        return new ConfigParser(System.getenv()).parse().sandbox().releases().stream().map(ReleaseImage::name).toList();
    }

    private static List<String> startup(Path lockFile) {
        return List.of(script("vm/startup.sh"), "--images", lockFile.toString());
    }

    private static Path lockOf(List<ReleaseImage> lines) throws Exception {
        Path p = Files.createTempFile(work, "bad-", ".lock");
        StringBuilder text = new StringBuilder();
        for (ReleaseImage r : lines) {
            text.append(r.name()).append(' ').append(r.image()).append('\n');
        }
        return Files.writeString(p, text.toString());
    }

    private static String digest(ReleaseImage r) {
        return r.image().substring(r.image().indexOf('@') + 1);
    }

    private static String key(String identity, String source) {
        return "compilerd:result:" + new ResultCache(1, 1).key(identity, Program.of(source));
    }

    private static boolean stored(String key) throws Exception {
        return valkey.execInContainer("valkey-cli", "exists", key).getStdout().strip().equals("1");
    }

    private static void awaitStored(String key) {
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(key));
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static String script(String path) {
        return ROOT.resolve(path).toString();
    }
}
