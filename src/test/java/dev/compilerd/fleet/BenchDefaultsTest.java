package dev.compilerd.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.compilerd.config.SandboxLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The raw docker CLI in bench/ must run with exactly the server's default limits, or the comparison is unfair. */
class BenchDefaultsTest {
    private static final Path LIB = Path.of(System.getProperty("user.dir"), "bench", "lib.sh");

    /** The value of a bench/lib.sh constant, with bash's $((a << b)) evaluated. */
    private static long constant(String text, String name) {
        Matcher m = Pattern.compile("\\b" + name + "=(\\$\\(\\((\\d+) << (\\d+)\\)\\)|[0-9.]+)").matcher(text);
        assertThat(m.find()).as(name + " in bench/lib.sh").isTrue();
        return m.group(2) != null ? Long.parseLong(m.group(2)) << Integer.parseInt(m.group(3))
                : (long) Double.parseDouble(m.group(1));
    }

    @Test
    void theRawClisLimitsAreTheServersDefaults() throws Exception {
        String lib = Files.readString(LIB);
        SandboxLimits d = SandboxLimits.defaults();
        assertThat(constant(lib, "SANDBOX_MEMORY")).isEqualTo(d.memoryBytes());
        assertThat(constant(lib, "SANDBOX_PIDS")).isEqualTo(d.pids());
        assertThat(constant(lib, "SANDBOX_NPROC")).isEqualTo(d.nproc());
        assertThat(constant(lib, "SANDBOX_CPUS")).isEqualTo((long) d.cpus());
        assertThat(constant(lib, "SANDBOX_TMPFS")).isEqualTo(d.tmpfsBytes());
        assertThat(constant(lib, "SANDBOX_NOFILE")).isEqualTo(d.nofile());
        assertThat(constant(lib, "SANDBOX_ADDRESS_SPACE")).isEqualTo(d.addressSpaceBytes());
        assertThat(constant(lib, "SANDBOX_BUILD_MS")).isEqualTo(d.buildTimeout().toMillis());
        assertThat(constant(lib, "SANDBOX_RUN_MS")).isEqualTo(d.runTimeout().toMillis());
        assertThat(constant(lib, "SANDBOX_OUTPUT")).isEqualTo(d.maxOutputBytes());
    }
}
