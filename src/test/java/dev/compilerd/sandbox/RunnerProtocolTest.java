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

    @Test
    void headerAsksForBenchmarksWithTheirShareOfTheRunTimeoutOnlyWhenTheProgramWantsThem() throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode plain = json.readTree(protocol.header(new Program(java.util.Map.of("prog.go", "x"), false)));
        assertThat(plain.has("bench")).isFalse(); // an older runner sees exactly the header it knows
        JsonNode bench = json.readTree(protocol.header(new Program(java.util.Map.of("prog.go", "x"), false,
                new Bench("Sort", "TestX")))).get("bench");
        assertThat(bench.toString()).isEqualTo("{\"pattern\":\"Sort\",\"run\":\"TestX\",\"budgetMs\":1500}");
    }

    @Test
    void theRunsCostAndClockAreReadWhenTheRunnerReportsThem() throws Exception {
        RunResult r = protocol.parse(b("{\"phase\":\"run\",\"runMs\":1200,\"runCpuMs\":1100,\"maxRssBytes\":"
                + "115343360,\"realClock\":true,\"benchtime\":\"333ms\"}\n"), false, "c");
        assertThat(r.run().usage()).isEqualTo(new RunResult.Usage(Duration.ofMillis(1100), 115343360L));
        assertThat(r.run().realClock()).isTrue();
        assertThat(r.run().benchtime()).isEqualTo("333ms");

        RunResult old = protocol.parse(b("{\"phase\":\"run\",\"runMs\":12,\"someNewField\":1}\n"), false, "c");
        assertThat(old.run().usage()).isNull();
        assertThat(old.run().realClock()).isFalse();
        RunResult odd = protocol.parse(b("{\"phase\":\"run\",\"realClock\":true,\"benchtime\":\"<b>1s\"}\n"), false, "c");
        assertThat(odd.run().benchtime()).isEmpty(); // only a Go duration is passed on
    }
}
