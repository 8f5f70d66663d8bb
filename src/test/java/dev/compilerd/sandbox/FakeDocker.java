package dev.compilerd.sandbox;

import dev.compilerd.config.SandboxLimits;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The fake docker wrapper (src/test/resources/fake-docker) set up for one test: a state directory that records what
 * it did, a mode that picks the failure it acts out, and the server parts wired to it.
 */
final class FakeDocker {
    static final String IMAGE = "sha256:" + "f".repeat(64);
    static final String INSTANCE = "1-1";
    /** Short deadlines so a hang costs seconds: hard deadline 3 s. */
    static final SandboxLimits LIMITS = new SandboxLimits(Duration.ofSeconds(1), Duration.ofSeconds(1),
            Duration.ofSeconds(1), 512L << 20, 1024, 512, 1.0, 128L << 20, 1024, 1L << 30, 65536);

    final Path state;
    final DockerCommand docker;

    FakeDocker(Path state, String mode) throws URISyntaxException {
        this.state = state;
        Path script = Path.of(FakeDocker.class.getResource("/fake-docker").toURI());
        Path contract = Path.of(RunnerContract.class.getResource("contract.json").toURI());
        this.docker = new DockerCommand(List.of("bash", script.toString(), contract.toString(), state.toString(), mode),
                "runsc",
                "fk", INSTANCE, LIMITS);
    }

    Containers containers(Predicate<String> ownerAlive) {
        return new Containers(docker, 1 << 20, ownerAlive);
    }

    /** A container the fake lists as running, started by the server instance {@code owner}. */
    void seed(String name, String owner) throws IOException {
        Files.createDirectories(state.resolve("live"));
        Files.writeString(state.resolve("live").resolve(name), owner + "\n");
    }

    /** Names the fake still lists. */
    List<String> live() throws IOException {
        Path dir = state.resolve("live");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".pid")).sorted().toList();
        }
    }

    boolean removed(String name) {
        return Files.exists(state.resolve("removed").resolve(name));
    }

    List<String> commands() throws IOException {
        Path log = state.resolve("commands");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }
}
