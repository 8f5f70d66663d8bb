package dev.compilerd.sandbox;

import static dev.compilerd.sandbox.PlaybackFrames.stream;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlaybackTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void epochIsTheGoPlaygroundsFakeTime() {
        Instant epoch = Instant.parse("2009-11-10T23:00:00Z");

        assertThat(Playback.EPOCH_NANOS).isEqualTo(ChronoUnit.NANOS.between(Instant.EPOCH, epoch));
    }

    @Test
    void eachFrameIsOneWriteAtItsTime() {
        byte[] b = stream().write(0, "a").write(SECOND, "bc").write(2 * SECOND + 5, "").bytes();

        List<Playback.Write> writes = Playback.decode(b, "stdout");

        assertThat(writes).extracting(Playback.Write::timeNanos)
                .containsExactly(Playback.EPOCH_NANOS, Playback.EPOCH_NANOS + SECOND, Playback.EPOCH_NANOS + 2 * SECOND + 5);
        assertThat(writes).extracting(w -> new String(w.data(), UTF_8)).containsExactly("a", "bc", "");
        assertThat(writes).extracting(Playback.Write::kind).containsOnly("stdout");
    }

    @Test
    void emptyStreamHasNoWrites() {
        assertThat(Playback.decode(new byte[0], "stderr")).isEmpty();
    }

    @Test
    void unframedOutputIsOneWriteAtTheEpoch() {
        List<Playback.Write> writes = Playback.decode("plain\n".getBytes(UTF_8), "stderr");

        assertThat(writes).singleElement().satisfies(w -> {
            assertThat(w.kind()).isEqualTo("stderr");
            assertThat(w.timeNanos()).isEqualTo(Playback.EPOCH_NANOS);
            assertThat(new String(w.data(), UTF_8)).isEqualTo("plain\n");
        });
    }

    @Test
    void unframedBytesKeepTheTimeOfTheFrameBeforeThem() {
        byte[] b = stream().raw("before ").write(3 * SECOND, "framed ").raw("after").bytes();

        List<Playback.Write> writes = Playback.decode(b, "stdout");

        assertThat(writes).extracting(w -> new String(w.data(), UTF_8)).containsExactly("before ", "framed ", "after");
        assertThat(writes).extracting(Playback.Write::timeNanos)
                .containsExactly(Playback.EPOCH_NANOS, Playback.EPOCH_NANOS + 3 * SECOND, Playback.EPOCH_NANOS + 3 * SECOND);
    }

    @Test
    void frameCutShortKeepsWhatArrived() {
        byte[] b = stream().write(0, "whole").header(SECOND, 10).raw("half").bytes();

        List<Playback.Write> writes = Playback.decode(b, "stdout");

        assertThat(writes).extracting(w -> new String(w.data(), UTF_8)).containsExactly("whole", "half");
    }

    @Test
    void headerCutShortIsKeptAsPlainBytes() {
        byte[] full = stream().write(SECOND, "x").bytes();
        byte[] cut = Arrays.copyOf(full, 10);

        List<Playback.Write> writes = Playback.decode(cut, "stdout");

        assertThat(writes).singleElement().satisfies(w -> {
            assertThat(w.data()).isEqualTo(cut);
            assertThat(w.timeNanos()).isEqualTo(Playback.EPOCH_NANOS);
        });
    }

    @Test
    void lengthIsUnsignedSoAHugeLengthJustTakesTheRest() {
        byte[] b = stream().header(0, 0xFFFF_FFFFL).raw("rest").bytes();

        assertThat(Playback.decode(b, "stdout")).singleElement()
                .satisfies(w -> assertThat(new String(w.data(), UTF_8)).isEqualTo("rest"));
    }

    @Test
    void payloadThatLooksLikeAHeaderIsStillPayload() {
        byte[] inner = stream().write(9 * SECOND, "inner").bytes();
        byte[] b = stream().write(SECOND, inner).write(2 * SECOND, "next").bytes();

        List<Playback.Write> writes = Playback.decode(b, "stdout");

        assertThat(writes).hasSize(2);
        assertThat(writes.get(0).data()).isEqualTo(inner);
        assertThat(writes.get(1).timeNanos()).isEqualTo(Playback.EPOCH_NANOS + 2 * SECOND);
    }
}
