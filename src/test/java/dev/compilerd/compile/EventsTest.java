package dev.compilerd.compile;

import static dev.compilerd.sandbox.PlaybackFrames.stream;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EventsTest {
    private static final long SECOND = 1_000_000_000L;
    private static final byte[] NONE = new byte[0];
    private static final int CAP = 64 * 1024;

    @Test
    void writesOneSecondApartAreEventsWithOneSecondDelays() {
        byte[] out = stream().write(0, "a\n").write(SECOND, "b\n").write(2 * SECOND, "c\n").bytes();

        Events.Decoded d = Events.from(out, NONE, CAP);

        assertThat(d.events()).containsExactly(
                new Event("a\n", "stdout", 0), new Event("b\n", "stdout", SECOND), new Event("c\n", "stdout", SECOND));
        assertThat(d.tooLarge()).isFalse();
    }

    @Test
    void firstEventsDelayCountsFromTheFakeEpoch() {
        byte[] out = stream().write(2 * SECOND, "late").bytes();

        assertThat(Events.from(out, NONE, CAP).events()).containsExactly(new Event("late", "stdout", 2 * SECOND));
    }

    @Test
    void writesAtTheSameTimeAreMergedIntoOneEvent() {
        byte[] out = stream().write(0, "hello, ").write(0, "world\n").write(SECOND, "bye\n").write(SECOND, "!\n").bytes();

        assertThat(Events.from(out, NONE, CAP).events()).containsExactly(
                new Event("hello, world\n", "stdout", 0), new Event("bye\n!\n", "stdout", SECOND));
    }

    @Test
    void stdoutAndStderrAreInterleavedByTime() {
        byte[] out = stream().write(0, "out0").write(2 * SECOND, "out2").bytes();
        byte[] err = stream().write(SECOND, "err1").write(3 * SECOND, "err3").bytes();

        Events.Decoded d = Events.from(out, err, CAP);

        assertThat(d.events()).containsExactly(
                new Event("out0", "stdout", 0), new Event("err1", "stderr", SECOND),
                new Event("out2", "stdout", SECOND), new Event("err3", "stderr", SECOND));
        assertThat(d.stdoutText()).isEqualTo("out0out2");
    }

    @Test
    void stdoutComesBeforeStderrWrittenAtTheSameTime() {
        byte[] out = stream().write(SECOND, "out").bytes();
        byte[] err = stream().write(SECOND, "err").bytes();

        assertThat(Events.from(out, err, CAP).events()).containsExactly(
                new Event("out", "stdout", SECOND), new Event("err", "stderr", 0));
    }

    @Test
    void unframedOutputIsKeptAsOneEvent() {
        Events.Decoded d = Events.from("no faketime here\n".getBytes(UTF_8), "oops\n".getBytes(UTF_8), CAP);

        assertThat(d.events()).containsExactly(
                new Event("no faketime here\n", "stdout", 0), new Event("oops\n", "stderr", 0));
    }

    @Test
    void noOutputIsNoEvents() {
        Events.Decoded d = Events.from(NONE, NONE, CAP);

        assertThat(d.events()).isEmpty();
        assertThat(d.tooLarge()).isFalse();
        assertThat(d.stdoutText()).isEmpty();
    }

    @Test
    void frameCutShortKeepsWhatArrived() {
        byte[] out = stream().write(0, "first\n").header(SECOND, 100).raw("sec").bytes();

        assertThat(Events.from(out, NONE, CAP).events()).containsExactly(
                new Event("first\n", "stdout", 0), new Event("sec", "stdout", SECOND));
    }

    @Test
    void invalidUtf8BecomesReplacementCharacters() {
        byte[] out = stream().write(0, new byte[] {'a', (byte) 0xff, 'b'}).bytes();

        assertThat(Events.from(out, NONE, CAP).events()).containsExactly(new Event("a\uFFFDb", "stdout", 0));
    }

    @Test
    void multiByteCharacterSplitAcrossTwoSameTimeWritesIsJoined() {
        byte[] e = "é".getBytes(UTF_8);
        byte[] out = stream().write(0, new byte[] {'x', e[0]}).write(0, new byte[] {e[1], 'y'}).bytes();

        assertThat(Events.from(out, NONE, CAP).events()).containsExactly(new Event("xéy", "stdout", 0));
    }

    @Test
    void outputOverTheCapIsTooLargeAndCappedToTheCap() {
        byte[] out = stream().write(0, "a".repeat(60)).write(SECOND, "b".repeat(60)).write(2 * SECOND, "c").bytes();

        Events.Decoded d = Events.from(out, NONE, 100);

        assertThat(d.tooLarge()).isTrue();
        assertThat(d.events()).containsExactly(
                new Event("a".repeat(60), "stdout", 0), new Event("b".repeat(40), "stdout", SECOND));
    }

    @Test
    void capCountsStdoutAndStderrTogether() {
        byte[] out = stream().write(0, "o".repeat(8)).bytes();
        byte[] err = stream().write(SECOND, "e".repeat(8)).bytes();

        Events.Decoded d = Events.from(out, err, 10);

        assertThat(d.tooLarge()).isTrue();
        assertThat(d.events()).extracting(Event::message).containsExactly("o".repeat(8), "ee");
    }

    @Test
    void outputExactlyAtTheCapIsNotTooLarge() {
        byte[] out = stream().write(0, "x".repeat(50)).write(SECOND, "y".repeat(50)).bytes();

        Events.Decoded d = Events.from(out, NONE, 100);

        assertThat(d.tooLarge()).isFalse();
        assertThat(d.events()).extracting(e -> e.message().length()).containsExactly(50, 50);
    }

    @Test
    void stdoutTextIsOnlyStdoutEvenWhenStderrIsInterleaved() {
        byte[] out = stream().write(0, "--- FAIL: TestA\n").bytes();
        byte[] err = stream().write(0, "--- FAIL: not counted\n").bytes();

        assertThat(Events.from(out, err, CAP).stdoutText()).isEqualTo("--- FAIL: TestA\n");
    }

    @Test
    void zeroLengthFramesProduceNoEmptyEvents() {
        byte[] out = stream().write(0, "").write(SECOND, "x").write(2 * SECOND, "").bytes();

        assertThat(Events.from(out, NONE, CAP).events()).containsExactly(new Event("x", "stdout", SECOND));
    }
}
