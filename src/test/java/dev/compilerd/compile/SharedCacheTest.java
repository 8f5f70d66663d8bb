package dev.compilerd.compile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The shared tier's value format and its breaker, without a store. */
class SharedCacheTest {
    private static final byte[] KEY = "compilerd:result:abc".getBytes(StandardCharsets.UTF_8);
    private static final byte[] BODY = "{\"Errors\":\"\",\"Events\":[]}".getBytes(StandardCharsets.UTF_8);

    @Test
    void aValueWrittenForAKeyReadsBackAsItsBody() {
        assertThat(SharedCache.decode(KEY, SharedCache.encode(KEY, BODY), 1024)).hasValue(BODY);
    }

    @Test
    void corruptTruncatedForeignOrOversizedValuesAreMisses() {
        byte[] good = SharedCache.encode(KEY, BODY);
        byte[] flipped = good.clone();
        flipped[flipped.length - 1] ^= 1;
        byte[] otherKey = SharedCache.encode("compilerd:result:other".getBytes(StandardCharsets.UTF_8), BODY);
        byte[] otherVersion = good.clone();
        otherVersion[0] = 2;

        assertThat(SharedCache.decode(KEY, flipped, 1024)).isEmpty();
        assertThat(SharedCache.decode(KEY, Arrays.copyOf(good, good.length - 1), 1024)).isEmpty();
        assertThat(SharedCache.decode(KEY, otherKey, 1024)).as("a value moved to another key").isEmpty();
        assertThat(SharedCache.decode(KEY, otherVersion, 1024)).isEmpty();
        assertThat(SharedCache.decode(KEY, BODY, 1024)).as("a plain value").isEmpty();
        assertThat(SharedCache.decode(KEY, good, BODY.length - 1)).as("over the size bound").isEmpty();
    }

    @Test
    void breakerOpensAfterFailuresInARowSkipsCallsThenLetsOneTrialThrough() {
        ManualTicker ticker = new ManualTicker();
        Breaker b = new Breaker(3, Duration.ofSeconds(10), ticker);
        assertThat(b.failing()).isFalse();
        b.failure();
        assertThat(b.failing()).as("the last call failed").isTrue();
        b.failure();
        b.success(); // a success resets the count
        assertThat(b.failing()).isFalse();
        b.failure();
        b.failure();
        assertThat(b.isOpen()).isFalse();
        b.failure();
        assertThat(b.isOpen()).isTrue();
        assertThat(b.allow()).isFalse();

        ticker.advance(Duration.ofSeconds(10));

        assertThat(b.allow()).as("one trial").isTrue();
        assertThat(b.allow()).as("only one").isFalse();
        b.failure();
        assertThat(b.allow()).as("reopened").isFalse();
        ticker.advance(Duration.ofSeconds(10));
        assertThat(b.allow()).isTrue();
        b.success();
        assertThat(b.isOpen()).isFalse();
        assertThat(b.allow()).isTrue();
        assertThat(b.allow()).isTrue();
    }
}
