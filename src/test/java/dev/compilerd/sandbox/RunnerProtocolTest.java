package dev.compilerd.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.compilerd.config.SandboxLimits;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RunnerProtocolTest {
    private final RunnerProtocol protocol = new RunnerProtocol(new ObjectMapper(), SandboxLimits.defaults());

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void oneWellFormedLineIsTheResult() throws Exception {
        RunResult r = protocol.parse(b("{\"phase\":\"run\",\"exitCode\":7,\"runMs\":12,\"processLimit\":512}\n"), false, "c");

        assertThat(r.ending()).isEqualTo(RunResult.Ending.RUN);
        assertThat(r.run().exitCode()).isEqualTo(7);
        assertThat(r.run().took()).isEqualTo(Duration.ofMillis(12));
        assertThat(r.run().processLimit()).isEqualTo(512);
        assertThat(r.container()).isEqualTo("c");
    }

    @Test
    void buildFailureCarriesTheCompilersErrors() throws Exception {
        RunResult r = protocol.parse(b("{\"phase\":\"build\",\"errors\":\"x\",\"isTest\":true}\n"), false, "c");

        assertThat(r.ending()).isEqualTo(RunResult.Ending.BUILD);
        assertThat(r.build().errors()).isEqualTo("x");
        assertThat(r.build().isTest()).isTrue();
    }

    @Test
    void anythingButExactlyOneWellFormedLineIsUntrusted() {
        String good = "{\"phase\":\"run\"}\n";
        for (String bad : new String[] {"", good.strip(), "junk\n" + good, good + good, "{\"phase\":\"run\"} x\n",
                "{\"phase\":\"won\"}\n", "{}\n", "[1]\n", "{\"phase\":\"run\",\n\"exitCode\":0}\n"}) {
            assertThatThrownBy(() -> protocol.parse(b(bad), false, "c")).as(bad)
                    .isInstanceOf(RunnerProtocol.UntrustedResultException.class);
        }
    }

    @Test
    void resultCutByTheCapIsUntrusted() {
        assertThatThrownBy(() -> protocol.parse(b("{\"phase\":\"run\"}\n"), true, "c"))
                .isInstanceOf(RunnerProtocol.UntrustedResultException.class).hasMessageContaining("more than");
    }

    @Test
    void headerCarriesTheFilesAndEverySoftLimitOnOneLine() throws Exception {
        byte[] line = protocol.header(new Program(java.util.Map.of("prog.go", "package main\n"), true));

        assertThat(line[line.length - 1]).isEqualTo((byte) '\n');
        JsonNode h = new ObjectMapper().readTree(line);
        assertThat(h.get("files").get("prog.go").asText()).isEqualTo("package main\n");
        assertThat(h.get("vet").asBoolean()).isTrue();
        assertThat(h.get("buildTimeoutMs").asLong()).isEqualTo(10_000);
        assertThat(h.get("runTimeoutMs").asLong()).isEqualTo(5_000);
        assertThat(h.get("outputLimit").asInt()).isEqualTo(64 * 1024);
        assertThat(h.get("addressSpace").asLong()).isEqualTo(1L << 30);
    }

    @Test
    void aFormattingRequestAsksForItsFormatterAndItsResultCarriesEachFile() throws Exception {
        String header = new String(protocol.header(new Program(java.util.Map.of("prog.go", "package main\n"), false,
                Program.Format.GOIMPORTS)), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(header).contains("\"fmt\":{\"imports\":true}");
        assertThat(new String(protocol.header(Program.of("package main\n")), java.nio.charset.StandardCharsets.UTF_8))
                .doesNotContain("fmt");

        RunResult r = protocol.parse(b("{\"phase\":\"fmt\",\"buildMs\":3,\"formatted\":{\"prog.go\":{\"body\":\"package "
                + "main\\n\"},\"b.go\":{\"body\":\"\",\"error\":\"b.go:1:1: expected 'package'\"}}}\n"), false, "c");

        assertThat(r.ending()).isEqualTo(RunResult.Ending.FORMATTED);
        assertThat(r.formatted()).containsEntry("prog.go", new RunResult.Formatted("package main\n", ""))
                .containsEntry("b.go", new RunResult.Formatted("", "b.go:1:1: expected 'package'"));
    }
}
