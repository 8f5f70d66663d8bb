package dev.compilerd.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.compilerd.config.ConfigException;
import dev.compilerd.config.ConfigParser;
import dev.compilerd.config.SandboxLimits;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DockerCommandTest {
    private static final SandboxLimits LIMITS = new SandboxLimits(Duration.ofSeconds(10), Duration.ofSeconds(5),
            Duration.ofSeconds(2), 256L << 20, 99, 0.5, 32L << 20, 65536);

    private final DockerCommand docker = new DockerCommand(List.of("sudo", "-n", "docker"), "example/play:1", "runsc",
            "cd", "dev.compilerd.owner=cd", LIMITS);

    @Test
    void runStartsWithTheDockerPrefixAndEndsWithTheImage() {
        List<String> run = docker.run("cd-0123");

        assertThat(run).startsWith("sudo", "-n", "docker", "run", "-i", "--rm").endsWith("example/play:1");
        assertThat(run).containsOnlyOnce("example/play:1");
    }

    @Test
    void runUsesGvisorWithNoNetworkAndNoPrivileges() {
        assertThat(docker.run("cd-0123")).contains("--runtime=runsc", "--network=none", "--read-only", "--cap-drop=ALL",
                "--security-opt=no-new-privileges");
        assertThat(docker.run("cd-0123")).noneMatch(a -> a.contains("privileged") || a.startsWith("-v")
                || a.startsWith("--volume") || a.startsWith("--mount"));
    }

    @Test
    void runUsesTheConfiguredRuntime() {
        DockerCommand runc = new DockerCommand(List.of("docker"), "img", "runc", "cd", "l", LIMITS);

        assertThat(runc.run("n")).contains("--runtime=runc").doesNotContain("--runtime=runsc");
    }

    @Test
    void runIsUnprivilegedNobody() {
        assertThat(docker.run("cd-0123")).containsSubsequence("--user", "65534:65534");
    }

    @Test
    void runBoundsMemoryWithSwapEqualToMemory() {
        assertThat(docker.run("cd-0123")).contains("--memory=268435456b", "--memory-swap=268435456b");
    }

    @Test
    void runBoundsPidsCpusAndTmpfs() {
        List<String> run = docker.run("cd-0123");

        assertThat(run).contains("--pids-limit=99", "--cpus=0.5");
        assertThat(run).containsSubsequence("--tmpfs", "/tmp:rw,exec,nosuid,nodev,size=33554432");
    }

    @Test
    void runNamesAndLabelsTheContainer() {
        List<String> run = docker.run("cd-0123");

        assertThat(run).containsSubsequence("--name", "cd-0123");
        assertThat(run).containsSubsequence("--label", "dev.compilerd.owner=cd");
        assertThat(run.indexOf("--name") + 1).isEqualTo(run.indexOf("cd-0123"));
        assertThat(run.indexOf("--label") + 1).isEqualTo(run.indexOf("dev.compilerd.owner=cd"));
    }

    @Test
    void removeIsForcedRemovalByName() {
        assertThat(docker.remove("cd-0123")).containsExactly("sudo", "-n", "docker", "rm", "-f", "cd-0123");
    }

    @Test
    void listOursFiltersByOurLabel() {
        assertThat(docker.listOurs()).containsExactly("sudo", "-n", "docker", "ps", "-a", "--filter",
                "label=dev.compilerd.owner=cd", "--format", "{{.Names}}");
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
    }

    @Test
    void configuredDockerPrefixIsSplitIntoArgv() throws ConfigException {
        DockerCommand fromConfig = DockerCommand.from(new ConfigParser(Map.of())
                .parse(new String[] {"--docker", "sudo -n docker", "--container-prefix", "pg", "--memory", "512m"}));

        List<String> run = fromConfig.run("pg-1");
        assertThat(run).startsWith("sudo", "-n", "docker", "run");
        assertThat(run).containsSubsequence("--label", "dev.compilerd.owner=pg");
        assertThat(run).contains("--memory=536870912b", "--memory-swap=536870912b", "--pids-limit=128", "--cpus=1.0");
        assertThat(fromConfig.remove("pg-1")).containsExactly("sudo", "-n", "docker", "rm", "-f", "pg-1");
        assertThat(fromConfig.prefix()).isEqualTo("sudo -n docker");
        assertThat(fromConfig.newName()).startsWith("pg-");
    }
}
