package dev.compilerd.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every answer from a run says what the run cost (Stats), measured by the runner's own wait on the program inside
 * runsc: its peak memory, its CPU time beside its wall time, apart from the build's; a cached answer repeats them.
 */
class RunCostIT {
    static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start("compilerd-it-cost", "--pool", "1");
    }

    @AfterAll
    static void stop() throws Exception {
        server.stopCleanly();
    }

    static JsonNode stats(JsonNode r) {
        System.out.println("answer: " + r);
        assertThat(r.get("Errors").asText()).isEmpty();
        return r.get("Stats");
    }

    @Test
    void aProgramThatTouches100MiBPeaksAboveThem() throws Exception {
        JsonNode s = stats(server.compileOk("package main\n\nimport \"fmt\"\n\nfunc main() {\n"
                + "\tb := make([]byte, 100<<20)\n\tfor i := 0; i < len(b); i += 4096 {\n\t\tb[i] = 1\n\t}\n"
                + "\tfmt.Println(len(b) >> 20, b[4096])\n}\n"));
        assertThat(s.get("MaxRssBytes").asLong()).isGreaterThanOrEqualTo(100L << 20).isLessThan(300L << 20);
    }

    @Test
    void aCpuBoundLoopSpendsAboutItsWallTimeOnTheCpuAndTheBuildIsCountedApart() throws Exception {
        JsonNode s = stats(server.compileOk("package main\n\nimport \"fmt\"\n\nfunc main() {\n\tx := uint64(1)\n"
                + "\tfor i := 0; i < 400_000_000; i++ {\n\t\tx = x*6364136223846793005 + uint64(i)\n\t}\n"
                + "\tfmt.Println(x != 0)\n}\n"));
        long run = s.get("RunMs").asLong();
        long cpu = s.get("RunCpuMs").asLong();
        assertThat(cpu).isGreaterThan(100);
        assertThat((double) cpu).as("CPU %d ms in %d ms", cpu, run).isBetween(0.6 * run, 1.2 * run + 50);
        // The build (hundreds of milliseconds) is not the program's: a hello world runs in a few.
        JsonNode hello = stats(server.compileOk("package main\n\nfunc main() { println(\"cost\") }\n"));
        assertThat(hello.get("BuildMs").asLong()).isGreaterThan(hello.get("RunMs").asLong());
        assertThat(hello.get("RunMs").asLong()).isLessThan(run);
        assertThat(hello.get("MaxRssBytes").asLong()).isGreaterThan(1L << 20).isLessThan(64L << 20);
    }

    @Test
    void aCachedAnswerRepeatsTheCostOfItsRun() throws Exception {
        String program = "package main\n\nfunc main() { println(\"cached cost\") }\n";
        HttpResponse<String> first = server.compile(program);
        double hits = server.metric("compilerd_cache_hits_total");
        HttpResponse<String> again = server.compile(program);
        assertThat(server.metric("compilerd_cache_hits_total")).isEqualTo(hits + 1);
        assertThat(again.body()).isEqualTo(first.body()).contains("\"Stats\":{\"BuildMs\":");
        assertThat(server.metric("compilerd_run_cpu_seconds_count")).isGreaterThan(0);
        assertThat(server.get("/metrics").body()).contains("compilerd_run_max_rss_bytes_bucket{le=\"1.34217728E8\"}");
    }
}
