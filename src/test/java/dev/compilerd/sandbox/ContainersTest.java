package dev.compilerd.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reaper against the fake docker wrapper: it removes what dead servers left, never a live server's container. */
class ContainersTest {
    @TempDir
    Path state;

    @Test
    void reaperRemovesContainersOfDeadServersOnlyAndSparesLiveOnesAndOurs() throws Exception {
        FakeDocker fake = new FakeDocker(state, "ok");
        fake.seed("fk-000000000000000a", "77-100");      // a server that crashed
        fake.seed("fk-000000000000000b", "88-200");      // another live server on this host
        fake.seed("fk-000000000000000c", "");            // no owner label at all
        fake.seed("fk-000000000000000d", FakeDocker.INSTANCE); // ours, but no longer tracked
        Set<String> alive = Set.of("88-200", FakeDocker.INSTANCE);
        Containers containers = fake.containers(alive::contains);

        int reaped = containers.reapOrphans();

        assertThat(reaped).isEqualTo(3);
        assertThat(fake.live()).containsExactly("fk-000000000000000b");
        assertThat(containers.reapedTotal()).isEqualTo(3);
    }

    @Test
    void reaperNeverTouchesAContainerThisServerIsRunning() throws Exception {
        FakeDocker fake = new FakeDocker(state, "hang");
        Containers containers = fake.containers(id -> false);
        Container running = containers.startReady(FakeDocker.IMAGE, FakeDocker.LIMITS.hardDeadline());

        assertThat(containers.reapOrphans()).isZero();
        assertThat(fake.live()).containsExactly(running.name);
        containers.close();
        assertThat(fake.live()).isEmpty();
    }

    @Test
    void instanceIdsNameLiveProcessesOnly() {
        assertThat(Instance.alive(Instance.current())).isTrue();
        assertThat(Instance.alive(ProcessHandle.current().pid() + "-1")).isFalse(); // same pid, other start time
        assertThat(Instance.alive("")).isFalse();
        assertThat(Instance.alive("not-an-id")).isFalse();
        assertThat(Instance.current()).matches("[0-9]+-[0-9]+");
    }
}
