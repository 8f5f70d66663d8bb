package dev.compilerd.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.compilerd.config.SandboxLimits;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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

    private final RunnerProtocol protocol = new RunnerProtocol(new ObjectMapper(), SandboxLimits.defaults());

    @Test
    void resultIsTheLastLineWhateverCameBefore() throws Exception {
        byte[] out = b("{\"phase\":\"run\",\"exitCode\":7}\njunk\n{\"phase\":\"build\",\"errors\":\"x\"}\n");
        RunResult r = protocol.parse(out, false, "c", Duration.ZERO);
        assertThat(r.phase()).isEqualTo(RunResult.Phase.BUILD);
        assertThat(r.errors()).isEqualTo("x");
    }

    @Test
    void resultCutByTheCapIsASandboxFailure() {
        assertThatThrownBy(() -> protocol.parse(b("\"phase\":\"run\"}\n"), true, "c", Duration.ZERO))
                .isInstanceOf(SandboxException.class).hasMessageContaining("exceeded");
    }
}
