package dev.compilerd.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A second Docker daemon with its own storage, state and containerd, started by the test: a host that has none of
 * this machine's images, as a fresh VM has none, so a pull really transfers and unpacks every layer. It registers
 * runsc exactly as this machine's daemon does and touches no iptables or sysctl. Its default bridge is one of its
 * own (an address in 198.18.0.0/15, the benchmarking range no Docker pool uses): with --bridge=none dockerd would
 * delete the host's docker0, which belongs to this machine's daemon. Removed afterwards with all it stored.
 */
final class ScratchDaemon implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Path DAEMON_JSON = Path.of("/etc/docker/daemon.json");
    private static final String WRAPPER = "/usr/local/libexec/compilerd-docker";

    private final Path dataRoot;
    private final Path execRoot;
    private final String bridge;
    private final Process dockerd;

    private ScratchDaemon(Path dataRoot, Path execRoot, String bridge, Process dockerd) {
        this.dataRoot = dataRoot;
        this.execRoot = execRoot;
        this.bridge = bridge;
        this.dockerd = dockerd;
    }

    static ScratchDaemon start() throws Exception {
        int n = new SecureRandom().nextInt(1 << 16);
        String bridge = "cit" + HexFormat.of().toHexDigits((short) n); // an interface name has at most 15 characters
        Commands.ok(Map.of(), List.of("ip", "link", "add", "name", bridge, "type", "bridge"));
        Commands.ok(Map.of(), List.of("ip", "addr", "add", "198.18." + (n & 0xff) + ".1/24", "dev", bridge));
        Path dataRoot = Files.createTempDirectory(Path.of("/var/tmp"), "compilerd-it-daemon-");
        // A unix socket path must stay short: the exec root holds containerd's sockets too.
        Path execRoot = Files.createTempDirectory(Path.of("/run"), "cit-");
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = json.createObjectNode();
        JsonNode runsc = json.readTree(DAEMON_JSON.toFile()).path("runtimes").path("runsc");
        if (!runsc.isMissingNode()) {
            config.putObject("runtimes").set("runsc", runsc);
        }
        Path configFile = dataRoot.resolve("daemon.json");
        json.writeValue(configFile.toFile(), config);
        Process dockerd = new ProcessBuilder("dockerd", "--data-root", dataRoot.resolve("root").toString(),
                "--exec-root", execRoot.resolve("exec").toString(), "--pidfile", execRoot.resolve("pid").toString(),
                "-H", "unix://" + execRoot.resolve("sock"), "--config-file", configFile.toString(),
                "--bridge=" + bridge, "--iptables=false", "--ip-masq=false", "--ip-forward=false")
                .redirectErrorStream(true).redirectOutput(dataRoot.resolve("dockerd.log").toFile()).start();
        ScratchDaemon d = new ScratchDaemon(dataRoot, execRoot, bridge, dockerd);
        try {
            await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() -> {
                if (!dockerd.isAlive()) {
                    throw new IllegalStateException("dockerd exited:\n" + Files.readString(dataRoot.resolve("dockerd.log")));
                }
                return Docker.run(d.env(), "docker", "info", "--format", "{{json .Runtimes}}").contains("\"runsc\"");
            });
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
        return d;
    }

    /** The environment that points the docker CLI (and so vm/startup.sh and the wrapper) at this daemon. */
    Map<String, String> env() {
        return Map.of("DOCKER_HOST", "unix://" + execRoot.resolve("sock"));
    }

    /** The server's --docker for this daemon: the real wrapper, which root may run directly, keeping DOCKER_HOST. */
    List<String> serverFlags() {
        return List.of("--docker", "env DOCKER_HOST=unix://" + execRoot.resolve("sock") + " " + WRAPPER);
    }

    /** Runs the docker CLI against this daemon; fails with its output unless it exits 0. */
    String docker(String... args) throws IOException, InterruptedException {
        return Commands.ok(env(), Commands.concat(List.of("docker"), args));
    }

    /** The digests (REPO@sha256:...) of every image this daemon holds. */
    List<String> repoDigests() throws IOException, InterruptedException {
        return docker("images", "--digests", "--format", "{{.Repository}}@{{.Digest}}").lines()
                .filter(l -> !l.isBlank()).toList();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            if (dockerd.isAlive()) {
                Docker.run(env(), "sh", "-c", "docker ps -aq | xargs -r docker rm -f");
                dockerd.destroy(); // SIGTERM: dockerd stops containerd and unmounts its layers
                if (!dockerd.waitFor(60, TimeUnit.SECONDS)) {
                    dockerd.destroyForcibly().waitFor();
                }
            }
        } finally {
            Commands.ok(Map.of(), List.of("rm", "-rf", "--one-file-system", dataRoot.toString(), execRoot.toString()));
            Commands.ok(Map.of(), List.of("ip", "link", "del", bridge));
        }
    }
}
