package dev.compilerd.compile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.base.Ticker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Two servers' FleetRuns over one store: a program in flight on one is awaited by the other, which runs its own only
 * when that run leaves nothing to share, takes too long, or the store cannot answer. (SharedCacheIT runs the same
 * against real Valkey and real servers.)
 */
class FleetRunsTest {
    static final String KEY = "k1";
    static final Duration LONGEST = Duration.ofSeconds(5);

    /** A store in memory with the semantics the servers rely on: one mark per key, ours or theirs. */
    static final class Store implements SharedTier {
        final Map<String, byte[]> values = new ConcurrentHashMap<>();
        final Map<String, Object> marks = new ConcurrentHashMap<>();
        volatile boolean down;

        @Override
        public Optional<byte[]> get(String key) {
            return down ? Optional.empty() : Optional.ofNullable(values.get(key));
        }

        @Override
        public void put(String key, byte[] response) {
            values.put(key, response);
        }

        @Override
        public Claim claim(String key, Duration ttl) {
            if (down) {
                return Claim.UNSHARED;
            }
            Object token = new Object();
            return marks.putIfAbsent(key, token) == null ? new Claim(true, () -> marks.remove(key, token)) : Claim.THEIRS;
        }

        @Override
        public boolean claimed(String key) {
            return !down && marks.containsKey(key);
        }
    }

    final Store store = new Store();
    final AtomicInteger runs = new AtomicInteger();
    final FleetRuns a = new FleetRuns(store, LONGEST, Ticker.systemTicker(), new SimpleMeterRegistry());
    final FleetRuns b = new FleetRuns(store, LONGEST, Ticker.systemTicker(), new SimpleMeterRegistry());
    final Function<byte[], CompileService.Reply> awaited = body -> reply(body, Outcome.COALESCED, CompileService.FLEET);

    static CompileService.Reply reply(byte[] body, Outcome outcome, String source) {
        return new CompileService.Reply(body, outcome, source, "");
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Starts server A's run of KEY, which holds its claim until {@code finish} counts down, then stores or not. */
    CompletableFuture<CompileService.Reply> runOnA(CountDownLatch finish, boolean stores) throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<CompileService.Reply> done = CompletableFuture.supplyAsync(() -> {
            try {
                return a.run(KEY, () -> {
                    runs.incrementAndGet();
                    started.countDown();
                    finish.await();
                    if (stores) {
                        store.put(KEY, bytes("A's answer"));
                    }
                    return reply(bytes("A's answer"), stores ? Outcome.OK : Outcome.TIMEOUT, CompileService.RUN);
                }, awaited, () -> false);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(started.await(5, TimeUnit.SECONDS)).as("A's run started").isTrue();
        return done;
    }

    CompileService.Reply runOnB() throws Exception {
        return b.run(KEY, () -> {
            runs.incrementAndGet();
            return reply(bytes("B's answer"), Outcome.OK, CompileService.RUN);
        }, awaited, () -> false);
    }

    @Test
    void aProgramInFlightOnAnotherServerRunsOnceAndBothGetItsAnswer() throws Exception {
        CountDownLatch finish = new CountDownLatch(1);
        CompletableFuture<CompileService.Reply> onA = runOnA(finish, true);
        CompletableFuture<CompileService.Reply> onB = CompletableFuture.supplyAsync(() -> {
            try {
                return runOnB();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(3 * FleetRuns.POLL.toMillis());
        assertThat(onB).as("B waits while A runs").isNotDone();

        finish.countDown();

        assertThat(new String(onB.get(5, TimeUnit.SECONDS).body(), StandardCharsets.UTF_8)).isEqualTo("A's answer");
        assertThat(onB.get().source()).isEqualTo(CompileService.FLEET);
        assertThat(onB.get().shareable()).as("B's own followers may take it").isTrue();
        assertThat(onA.get().source()).isEqualTo(CompileService.RUN);
        assertThat(runs).hasValue(1);
        assertThat(store.marks).as("A's mark is gone with its run").isEmpty();
    }

    @Test
    void whenTheOtherRunLeavesNothingToShareTheWaiterRunsItsOwn() throws Exception {
        CountDownLatch finish = new CountDownLatch(1);
        CompletableFuture<CompileService.Reply> onA = runOnA(finish, false);
        CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS).execute(finish::countDown);

        CompileService.Reply onB = runOnB();

        assertThat(new String(onB.body(), StandardCharsets.UTF_8)).isEqualTo("B's answer");
        assertThat(onA.get(5, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.TIMEOUT);
        assertThat(runs).hasValue(2);
    }

    @Test
    void aStoreThatCannotAnswerNeverMakesARequestWait() throws Exception {
        store.down = true;
        store.marks.put(KEY, "a mark the store cannot show");

        CompileService.Reply onB = runOnB();

        assertThat(onB.source()).isEqualTo(CompileService.RUN);
        assertThat(runs).hasValue(1);
    }

    @Test
    void aMarkThatOutlivesTheLongestRunIsWaitedForNoLonger() throws Exception {
        store.marks.put(KEY, "a server that died mid-run, its mark not yet expired");
        FleetRuns shortLived = new FleetRuns(store, Duration.ofMillis(400), Ticker.systemTicker(), new SimpleMeterRegistry());
        long t0 = System.nanoTime();

        CompileService.Reply own = shortLived.run(KEY, () -> {
            runs.incrementAndGet();
            return reply(bytes("own"), Outcome.OK, CompileService.RUN);
        }, awaited, () -> false);

        assertThat(own.source()).isEqualTo(CompileService.RUN);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(runs).hasValue(1);
    }

    @Test
    void aWaiterWhoseClientLeavesStopsWaitingAndRunsNothing() {
        store.marks.put(KEY, "another server's run");

        assertThatThrownBy(() -> b.run(KEY, () -> {
            runs.incrementAndGet();
            return reply(bytes("never"), Outcome.OK, CompileService.RUN);
        }, awaited, () -> true)).isInstanceOf(AbandonedException.class);
        assertThat(runs).hasValue(0);
    }

    @Test
    void onlyAnswersThatCameFromADeterministicRunAreShared() {
        assertThat(reply(bytes("x"), Outcome.OK, CompileService.RUN).shareable()).isTrue();
        assertThat(reply(bytes("x"), Outcome.COALESCED, CompileService.FLEET).shareable()).isTrue();
        assertThat(reply(bytes("x"), Outcome.CACHED, CompileService.SHARED).shareable()).isTrue();
        assertThat(reply(bytes("x"), Outcome.TIMEOUT, CompileService.RUN).shareable()).isFalse();
        assertThat(reply(bytes("x"), Outcome.PROCESS_LIMIT, CompileService.RUN).shareable()).isFalse();
    }
}
