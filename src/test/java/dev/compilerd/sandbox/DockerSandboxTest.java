package dev.compilerd.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.compilerd.config.PoolSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DockerSandbox against the fake docker wrapper: every way a container can end, with real processes. Which result
 * it trusts, what becomes "killed", what is the host's failure, and that every container is removed.
 */
class DockerSandboxTest {
    @TempDir
    Path state;
    private FakeDocker fake;
    private Containers containers;
    private DockerSandbox sandbox;

    private DockerSandbox sandbox(String mode, int pool) throws Exception {
        fake = new FakeDocker(state, mode);
        RunnerProtocol protocol = new RunnerProtocol(new ObjectMapper(), FakeDocker.LIMITS);
        containers = fake.containers(id -> false);
        sandbox = new DockerSandbox(containers, protocol, FakeDocker.LIMITS, new SandboxImage(FakeDocker.IMAGE, FakeDocker.IMAGE),
                new SandboxInfo("go1.24.4", java.util.List.of()),
                new PoolSettings(pool, pool, pool, Duration.ofMinutes(5), Duration.ofSeconds(15)), d -> { });
        return sandbox;
    }

    @AfterEach
    void closeRemovesEverything() throws Exception {
        if (sandbox != null) {
            sandbox.close();
            containers.close();
            assertThat(fake.live()).as("containers left").isEmpty();
        }
    }

    private static final Program HELLO = Program.of("package main\n");

    @Test
    void oneWellFormedResultIsTrustedAndTheContainerIsRemoved() throws Exception {
        RunResult r = sandbox("ok", 0).run(HELLO);

        assertThat(r.ending()).isEqualTo(RunResult.Ending.RUN);
        assertThat(new String(r.run().stdout(), StandardCharsets.ISO_8859_1)).endsWith("hi\n");
        assertThat(fake.removed(r.container())).as("removed by --rm").isTrue();
        assertThat(fake.commands()).anyMatch(c -> c.startsWith("run --name " + r.container() + " --owner fk --instance 1-1"))
                .as("no rm -f after a run that ended by itself").noneMatch(c -> c.startsWith("rm "));
    }

    @Test
    void anythingButOneResultLineIsKilledNeverTrusted() throws Exception {
        for (String mode : new String[] {"junk", "two", "silent"}) {
            RunResult r = sandbox(mode, 0).run(HELLO);
            assertThat(r.ending()).as(mode).isEqualTo(RunResult.Ending.KILLED);
            assertThat(r.run().exitCode()).as(mode).isZero();
            sandbox.close();
        }
    }

    @Test
    void containerThatDiesWithoutAResultIsKilledWithDockersExitCode() throws Exception {
        assertThat(sandbox("exit137", 0).run(HELLO)).satisfies(r -> {
            assertThat(r.ending()).isEqualTo(RunResult.Ending.KILLED);
            assertThat(r.run().exitCode()).isEqualTo(137);
        });
        sandbox.close();
        assertThat(sandbox("exit2", 0).run(HELLO).run().exitCode()).isEqualTo(2);
    }

    @Test
    void hangIsEndedByTheHardDeadlineWithDockerRmF() throws Exception {
        RunResult r = sandbox("hang", 0).run(HELLO);

        assertThat(r.ending()).isEqualTo(RunResult.Ending.DEADLINE);
        assertThat(r.run().took()).isGreaterThanOrEqualTo(FakeDocker.LIMITS.hardDeadline());
        assertThat(fake.removed(r.container())).isTrue();
        assertThat(fake.commands()).contains("rm " + r.container());
    }

    @Test
    void dockerDaemonDownIsAFailureThatWillPass() throws Exception {
        assertThatThrownBy(() -> sandbox("daemon", 0).run(HELLO)).isInstanceOf(SandboxUnavailableException.class)
                .hasMessageContaining("Cannot connect to the Docker daemon");
        assertThat(sandbox.failure()).contains("Cannot connect to the Docker daemon");
    }

    @Test
    void containerThatNeverGetsReadyIsTheHostsFailureAndMakesTheSandboxUnhealthy() throws Exception {
        assertThatThrownBy(() -> sandbox("notready", 0).run(HELLO)).isInstanceOf(SandboxException.class)
                .isNotInstanceOf(SandboxUnavailableException.class).hasMessageContaining("not ready after");
        assertThat(sandbox.failure()).contains("not ready after");
        sandbox.close();
        assertThatThrownBy(() -> sandbox("badready", 0).run(HELLO)).isInstanceOf(SandboxException.class)
                .hasMessageContaining("unexpected first line 'hello from somewhere else'");
    }

    @Test
    void slowRemovalOfABrokenContainerDoesNotDelayTheAnswer() throws Exception {
        assertThatThrownBy(() -> sandbox("notready,slowrm", 0).run(HELLO)).isInstanceOf(SandboxException.class);
        String name = containers.owned().get(0);

        assertThat(fake.removed(name)).as("removed before the answer").isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> fake.removed(name));
    }

    @Test
    void failedRemovalIsRetriedByTheReaper() throws Exception {
        assertThatThrownBy(() -> sandbox("notready,failrm", 0).run(HELLO)).isInstanceOf(SandboxException.class);
        String name = containers.owned().get(0);
        await().until(() -> fake.commands().stream().filter(c -> c.equals("rm " + name)).count() == 1);
        assertThat(containers.owned()).contains(name);

        containers.reapOrphans();

        assertThat(fake.removed(name)).isTrue();
        assertThat(containers.owned()).doesNotContain(name);
    }

    @Test
    void warmPoolHandsOutReadyContainersRefillsAndRemovesThemAllOnClose() throws Exception {
        DockerSandbox s = sandbox("ok", 2);
        await().until(() -> fake.live().size() == 2);
        java.util.List<String> warm = fake.live();

        RunResult r = s.run(HELLO);

        assertThat(warm).contains(r.container());
        await().until(() -> fake.live().size() == 2 && !fake.live().contains(r.container()));
    }
}
