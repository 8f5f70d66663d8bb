package dev.compilerd.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CappedBufferTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void keepsEverythingUntilFull() {
        Exec.CappedBuffer t = new Exec.CappedBuffer(8);
        t.write(b("abc"), 0, 3);
        t.write(b("de"), 0, 2);
        assertThat(t.toString(StandardCharsets.UTF_8)).isEqualTo("abcde");
        assertThat(t.overflowed()).isFalse();
    }

    @Test
    void keepsTheFirstBytesAndFlagsWhatItDrops() {
        Exec.CappedBuffer t = new Exec.CappedBuffer(4);
        t.write(b("abc"), 0, 3);
        t.write('d');
        assertThat(t.overflowed()).isFalse(); // exactly full
        t.write(b("ef"), 0, 2);
        t.write('g');
        assertThat(t.toString(StandardCharsets.UTF_8)).isEqualTo("abcd");
        assertThat(t.overflowed()).isTrue();
    }
}
