package dev.compilerd.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LifecycleTest {
    private final ManualTime time = new ManualTime();
    private final Lifecycle lifecycle = new Lifecycle(time);

    @Test
    void startsInStartingAndIsNotYetHealthy() {
        assertThat(lifecycle.state()).isEqualTo(State.STARTING);
        assertThat(lifecycle.healthy()).isFalse();
        assertThat(lifecycle.closingConnections()).isFalse();
    }

    @Test
    void walksEveryStateInOrder() {
        assertThat(lifecycle.advance(State.SERVING)).isTrue();
        assertThat(lifecycle.state()).isEqualTo(State.SERVING);
        assertThat(lifecycle.healthy()).isTrue();
        assertThat(lifecycle.closingConnections()).isFalse();

        time.advance(Duration.ofMinutes(45));
        assertThat(lifecycle.timeInState()).isEqualTo(Duration.ofMinutes(45));
        assertThat(lifecycle.advance(State.LAMEDUCK)).isTrue();
        assertThat(lifecycle.timeInState()).isZero();
        assertThat(lifecycle.state()).isEqualTo(State.LAMEDUCK);
        assertThat(lifecycle.healthy()).isFalse();
        assertThat(lifecycle.closingConnections()).isTrue();

        assertThat(lifecycle.advance(State.DRAINING)).isTrue();
        assertThat(lifecycle.state()).isEqualTo(State.DRAINING);
        assertThat(lifecycle.healthy()).isFalse();
        assertThat(lifecycle.closingConnections()).isTrue();

        assertThat(lifecycle.advance(State.HALTED)).isTrue();
        assertThat(lifecycle.state()).isEqualTo(State.HALTED);
        assertThat(lifecycle.healthy()).isFalse();
        assertThat(lifecycle.closingConnections()).isTrue();
    }

    @Test
    void skippingAStateIsRejectedAndChangesNothing() {
        assertThatThrownBy(() -> lifecycle.advance(State.LAMEDUCK))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("illegal transition STARTING -> LAMEDUCK");
        assertThat(lifecycle.state()).isEqualTo(State.STARTING);

        lifecycle.advance(State.SERVING);
        assertThatThrownBy(() -> lifecycle.advance(State.HALTED))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("illegal transition SERVING -> HALTED");
        assertThat(lifecycle.state()).isEqualTo(State.SERVING);
    }

    @Test
    void repeatedAdvanceReturnsFalse() {
        lifecycle.advance(State.SERVING);
        lifecycle.advance(State.LAMEDUCK);

        assertThat(lifecycle.advance(State.LAMEDUCK)).isFalse();
        assertThat(lifecycle.state()).isEqualTo(State.LAMEDUCK);
    }

    @Test
    void goingBackIsIgnored() {
        lifecycle.advance(State.SERVING);
        lifecycle.advance(State.LAMEDUCK);

        assertThat(lifecycle.advance(State.SERVING)).isFalse();
        assertThat(lifecycle.advance(State.STARTING)).isFalse();
        assertThat(lifecycle.state()).isEqualTo(State.LAMEDUCK);
    }
}
