package dev.compilerd.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.compilerd.config.ConfigParser;
import dev.compilerd.config.SandboxLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The server's docker commands as the real wrapper (vm/compilerd-docker, in --dry-run) turns them into docker argv:
 * what it accepts from the server, what it refuses, and that the limits it sets are the server's.
 */
class DockerCommandTest {
    private static final Path WRAPPER = Path.of(System.getProperty("user.dir"), "vm", "compilerd-docker");
    private static final String IMAGE = "sha256:" + "ab".repeat(32);
    private static final SandboxLimits LIMITS = new SandboxLimits(Duration.ofSeconds(10), Duration.ofSeconds(5),
            Duration.ofSeconds(2), 256L << 20, 900, 300, 0.5, 32L << 20, 777, 1L << 30, 65536);

    private final DockerCommand docker = new DockerCommand(List.of(WRAPPER.toString()), "runsc", "cd", "42-1000",
            LIMITS);

    /** The wrapper's exit code, and what it printed (the docker argv, one per line, or why it refused). */
    record Wrapped(int exit, List<String> argv, String stderr) {}

    static Wrapped dryRun(List<String> command) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of(command.get(0), "--dry-run"));
        argv.addAll(command.subList(1, command.size()));
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().put("SUDO_USER", "compilerd"); // as the server's sudo call runs it
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return new Wrapped(p.exitValue(), out.isEmpty() ? List.of() : List.of(out.split("\n")), err);
    }

    private List<String> run() throws Exception {
        Wrapped w = dryRun(docker.run("cd-0123456789abcdef", IMAGE));
        assertThat(w.exit()).as(w.stderr()).isZero();
        return w.argv();
    }

    @Test
    void runIsOneInteractiveContainerOfExactlyThePinnedImageWithTheRunnerAsEntrypoint() throws Exception {
        List<String> run = run();

        assertThat(run).startsWith("docker", "run", "-i", "--rm").endsWith(IMAGE).containsOnlyOnce(IMAGE);
        assertThat(run).containsSubsequence("--entrypoint", "/usr/local/bin/runner");
        assertThat(run).containsSubsequence("--name", "cd-0123456789abcdef");
    }

    @Test
    void runUsesGvisorWithNoNetworkNoPrivilegesAndOnlyTheRunnersThreeCapabilities() throws Exception {
        List<String> run = run();

        assertThat(run).contains("--runtime=runsc", "--network=none", "--read-only", "--cap-drop=ALL",
                "--cap-add=SETUID", "--cap-add=SETGID", "--cap-add=KILL", "--security-opt=no-new-privileges",
                "--log-driver=none", "--ipc=private");
        assertThat(run.stream().filter(a -> a.startsWith("--cap-add"))).hasSize(3);
        assertThat(run).noneMatch(a -> a.contains("privileged") || a.startsWith("-v") || a.startsWith("--volume")
                || a.startsWith("--mount") || a.startsWith("--device") || a.startsWith("--env") || a.equals("-e"));
    }

    @Test
    void runSetsTheServersLimits() throws Exception {
        List<String> run = run();

        assertThat(run).contains("--memory=268435456b", "--memory-swap=268435456b", "--pids-limit=900", "--cpus=0.5");
        assertThat(run).containsSubsequence("--ulimit", "nproc=300:300").containsSubsequence("--ulimit", "nofile=777:777")
                .containsSubsequence("--ulimit", "core=0:0");
        assertThat(run).containsSubsequence("--tmpfs", "/tmp:rw,exec,nosuid,nodev,size=33554432");
    }

    @Test
    void runLabelsTheContainerWithItsOwnerAndOwningProcess() throws Exception {
        assertThat(run()).containsSubsequence("--label", "dev.compilerd.owner=cd")
                .containsSubsequence("--label", "dev.compilerd.instance=42-1000");
    }

    @Test
    void wrapperRefusesAnythingButItsOwnForms() throws Exception {
        List<String> good = docker.run("cd-0123456789abcdef", IMAGE);
        List<List<String>> bad = List.of(
                List.of(WRAPPER.toString(), "ps"),
                List.of(WRAPPER.toString(), "exec", "cd-0123456789abcdef", "sh"),
                replace(good, "--runtime", "runc"),
                replace(good, "--name", "other-0123456789abcdef"),
                replace(good, "--name", "cd-x;rm -rf /"),
                replace(good, "--image", "compilerd/playground:latest"),
                replace(good, "--memory", "99999999999999"),
                replace(good, "--pids", "1"),
                replace(good, "--cpus", "1e9"),
                append(good, "--privileged", "true"),
                append(good, "-v", "/:/host"),
                append(good, "--name", "cd-0123456789abcdef"),
                List.of(WRAPPER.toString(), "rm", "-f", "cd-0123456789abcdef"),
                List.of(WRAPPER.toString(), "rm", "/etc"),
                List.of(WRAPPER.toString(), "image-id", "--format={{.}}"));
        for (List<String> b : bad) {
            Wrapped w = dryRun(b);
            assertThat(w.exit()).as(String.join(" ", b)).isEqualTo(64);
            assertThat(w.stderr()).startsWith("compilerd-docker: refused:");
            assertThat(w.argv()).isEmpty();
        }
    }

    @Test
    void removeListAndInspectAreTheirOneDockerCommandEach() throws Exception {
        assertThat(dryRun(docker.remove("cd-0123456789abcdef")).argv())
                .containsExactly("docker", "rm", "-f", "cd-0123456789abcdef");
        assertThat(dryRun(docker.listOurs()).argv()).containsExactly("docker", "ps", "-a", "--no-trunc", "--filter",
                "label=dev.compilerd.owner=cd", "--format", "{{.Names}} {{.Label \"dev.compilerd.instance\"}}");
        assertThat(dryRun(docker.runtimes()).argv()).containsExactly("docker", "info", "--format", "{{json .Runtimes}}");
        assertThat(dryRun(docker.imageId(IMAGE)).argv()).containsExactly("docker", "image", "inspect", "--format", "{{.Id}}",
                "--", IMAGE);
    }

    @Test
    void serverDefaultsAreWithinTheWrappersBounds() throws Exception {
        DockerCommand defaults = DockerCommand.from(new ConfigParser(Map.of()).parse("--docker", WRAPPER.toString()),
                "1-2");
        Wrapped w = dryRun(defaults.run(defaults.newName(), IMAGE));

        assertThat(w.exit()).as(w.stderr()).isZero();
        assertThat(w.argv()).contains("--memory=536870912b", "--pids-limit=1024", "--cpus=1.0")
                .containsSubsequence("--ulimit", "nproc=512:512");
    }

    @Test
    void newNameCarriesThePrefixAndIsUnique() {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String name = docker.newName();
            assertThat(name).matches("cd-[0-9a-f]{16}");
            names.add(name);
        }
        assertThat(names).hasSize(1000);
        assertThat(docker.command()).isEqualTo(WRAPPER.toString());
    }

    private static List<String> replace(List<String> argv, String flag, String value) {
        List<String> a = new ArrayList<>(argv);
        a.set(a.indexOf(flag) + 1, value);
        return a;
    }

    private static List<String> append(List<String> argv, String... more) {
        List<String> a = new ArrayList<>(argv);
        a.addAll(List.of(more));
        return a;
    }
}
