package dev.compilerd.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TailBufferTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void keepsEverythingUntilFull() {
        TailBuffer t = new TailBuffer(8);
        t.write(b("abc"), 0, 3);
        t.write(b("de"), 0, 2);
        assertThat(new String(t.bytes(), StandardCharsets.UTF_8)).isEqualTo("abcde");
        assertThat(t.overflowed()).isFalse();
    }

    @Test
    void keepsTheLastBytesAcrossWrapsAndHugeWrites() {
        TailBuffer t = new TailBuffer(4);
        t.write(b("abcdef"), 0, 6);
        assertThat(new String(t.bytes(), StandardCharsets.UTF_8)).isEqualTo("cdef");
        t.write(b("gh"), 0, 2);
        assertThat(new String(t.bytes(), StandardCharsets.UTF_8)).isEqualTo("efgh");
        assertThat(t.overflowed()).isTrue();
    }
}
