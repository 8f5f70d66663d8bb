package dev.compilerd.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.common.base.Ticker;
import dev.compilerd.config.PoolSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warm pool sizes itself to the request rate, against the fake docker wrapper (real Docker: PoolIT). The pool's
 * time stands still unless the test moves it, so every request comes with no gap and every start takes no time.
 */
class WarmPoolTest {
    @TempDir
    Path state;
    private final AtomicLong now = new AtomicLong();
    private final Ticker ticker = new Ticker() {
        @Override
        public long read() {
            return now.get();
        }
    };
    private Containers containers;
    private WarmPool pool;

    private WarmPool pool(int min, int max, Duration surplusIdle) throws Exception {
        FakeDocker fake = new FakeDocker(state, "ok");
        containers = fake.containers(id -> false);
        pool = new WarmPool(containers, FakeDocker.IMAGE, new PoolSettings(min, min, max, Duration.ofMinutes(5), surplusIdle),
                FakeDocker.LIMITS.hardDeadline(), ticker);
        return pool;
    }

    @AfterEach
    void closeRemovesEverything() {
        if (pool != null) {
            pool.close();
            containers.close();
            assertThat(containers.owned()).isEmpty();
        }
    }

    private void takeAtOnce(int n) throws Exception {
        List<Container> taken = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            taken.add(pool.acquire());
        }
        for (Container c : taken) {
            containers.removeNow(c.name);
        }
    }

    @Test
    void startsWithTheMinimumGrowsForABurstAndDropsTheSurplusAfterAQuietSpell() throws Exception {
        WarmPool p = pool(1, 3, Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> p.idle() == 1);
        assertThat(p.target()).isEqualTo(1);

        takeAtOnce(3); // three requests with no gap between them: the next may come before any start is done

        assertThat(p.hits() + p.misses()).isEqualTo(3);
        assertThat(p.target()).isEqualTo(3);
        await().atMost(Duration.ofSeconds(10)).until(() -> p.idle() == 3);
        now.addAndGet(Duration.ofMillis(999).toNanos());
        assertThat(p.target()).isEqualTo(1); // any quiet time outlasts a start that took no time: the minimum again
        Thread.sleep(1500); // one filler round at least
        assertThat(p.idle()).isEqualTo(3);
        now.addAndGet(Duration.ofMillis(1).toNanos()); // no request for the surplus idle time: the surplus goes
        await().atMost(Duration.ofSeconds(10)).until(() -> p.idle() == 1);
        assertThat(p.target()).isEqualTo(1);
        assertThat(p.discarded()).isEqualTo(2);
    }

    @Test
    void aMinimumEqualToTheMaximumIsAFixedPool() throws Exception {
        WarmPool p = pool(2, 2, Duration.ofMillis(100));
        await().atMost(Duration.ofSeconds(10)).until(() -> p.idle() == 2);
        now.addAndGet(Duration.ofSeconds(1).toNanos()); // far longer than the surplus idle time
        Thread.sleep(1500); // one filler round at least
        assertThat(p.idle()).isEqualTo(2);
        assertThat(p.discarded()).isZero();
    }
}
