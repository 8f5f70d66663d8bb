package dev.compilerd.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.base.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The pool's size follows the request rate: a trickle keeps the minimum, a stream the maximum, a lull shrinks it. */
class PoolDemandTest {
    private static final Duration QUIET_FOR_MIN = Duration.ofSeconds(30);
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Ticker ticker = new Ticker() {
        @Override
        public long read() {
            return now.get();
        }
    };
    private final PoolDemand demand = new PoolDemand(1, 3, QUIET_FOR_MIN.toNanos(), ticker);

    private void advance(long millis) {
        now.addAndGet(Duration.ofMillis(millis).toNanos());
    }

    /** Requests {@code gapMillis} apart, each taking a container whose replacement starts in {@code startMillis}. */
    private void stream(int requests, long gapMillis, long startMillis) {
        for (int i = 0; i < requests; i++) {
            demand.arrived();
            demand.started(Duration.ofMillis(startMillis).toNanos());
            advance(gapMillis);
        }
    }

    @Test
    void theMinimumUntilAGapBetweenRequestsAndAStartHaveBeenSeen() {
        assertThat(demand.target()).isEqualTo(1);
        demand.started(Duration.ofMillis(400).toNanos());
        assertThat(demand.target()).isEqualTo(1);
        demand.arrived(); // the first request says nothing about the rate
        assertThat(demand.target()).isEqualTo(1);
        advance(100);
        demand.arrived();
        assertThat(demand.target()).isEqualTo(3);
    }

    @Test
    void aTrickleSlowerThanAStartKeepsTheMinimum() {
        stream(10, 2000, 400);
        assertThat(demand.target()).isEqualTo(1);
    }

    @Test
    void requestsArrivingWithinAStartKeepOnePerStartTimeBetweenThem() {
        stream(20, 1000, 400); // MARGIN starts of 400 ms do not fit into a gap of 1 s: keep two
        assertThat(demand.target()).isEqualTo(2);
        stream(20, 100, 400);
        assertThat(demand.target()).isEqualTo(3); // capped at the maximum, not 12
    }

    @Test
    void aBurstAtOnceWantsTheMaximum() {
        demand.started(Duration.ofMillis(400).toNanos());
        demand.arrived();
        demand.arrived();
        assertThat(demand.target()).isEqualTo(3);
    }

    @Test
    void aQuietSpellAfterAStreamCountsAsALongGap() {
        stream(20, 100, 400);
        advance(1500); // no request for longer than MARGIN starts: one container covers the next
        assertThat(demand.target()).isEqualTo(1);
        assertThat(demand.quietNanos()).isEqualTo(Duration.ofMillis(1600).toNanos());
    }

    @Test
    void aStreamAfterALongLullGetsTheMaximumWithinAFewRequests() {
        stream(20, 100, 400);
        advance(Duration.ofHours(1).toMillis());
        assertThat(demand.target()).isEqualTo(1);
        stream(3, 100, 400);
        assertThat(demand.target()).isEqualTo(3);
    }

    @Test
    void slowerStartsUnderLoadRaiseTheTarget() {
        stream(20, 2000, 300);
        assertThat(demand.target()).isEqualTo(1);
        stream(20, 2000, 800);
        assertThat(demand.target()).isEqualTo(2);
    }

    @Test
    void withAMinimumOfZeroAReleaseNobodyAsksForKeepsNothingAndAStreamStillKeepsOne() {
        PoolDemand other = new PoolDemand(0, 3, QUIET_FOR_MIN.toNanos(), ticker);
        assertThat(other.target()).isZero();
        other.arrived();
        other.started(Duration.ofMillis(400).toNanos());
        advance(2_000);
        other.arrived();
        assertThat(other.target()).as("one request every 2 s, starts of 0.4 s").isEqualTo(1);
        advance(QUIET_FOR_MIN.toMillis() - 1);
        assertThat(other.target()).isEqualTo(1);
        advance(1);
        assertThat(other.target()).as("nobody asked for the quiet time").isZero();
    }
}
