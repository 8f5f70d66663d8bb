package dev.compilerd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.compilerd.modules.FakeModuleUpstream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Any module through the server's module proxy, with no network in the sandbox: a real server relays the real go
 * command's requests (from inside runsc, --network=none) to its proxy, which fetches from a local upstream in the
 * proxy's file layout that only the server can reach.
 */
class ModulesIT {
    private static final String PREFIX = "compilerd-it-modules";
    private static final String GREET = """
            package main

            import (
            \t"fmt"

            \t"example.com/greeter"
            )

            func main() { fmt.Println(greeter.Hello("gopher")) }
            """;

    private static FakeModuleUpstream upstream;
    private static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        upstream = FakeModuleUpstream.start();
        upstream.module("example.com/words", "v1.0.0", Map.of("words.go",
                "package words\n\nfunc Hello() string { return \"hello\" }\n"));
        for (String v : List.of("v1.0.0", "v1.1.0")) {
            upstream.module("example.com/greeter", v, Map.of(
                    "go.mod", "module example.com/greeter\n\ngo 1.24\n\nrequire example.com/words v1.0.0\n",
                    "greeter.go", "package greeter\n\nimport \"example.com/words\"\n\n"
                            + "func Hello(name string) string { return words.Hello() + \", \" + name + \" from " + v + "\" }\n"));
        }
        // The Go Tour's exercises import golang.org/x/tour/pic.
        upstream.module("golang.org/x/tour", "v0.1.0", Map.of("pic/pic.go",
                "package pic\n\nimport \"fmt\"\n\nfunc Show(f func(int, int) [][]uint8) { p := f(3, 2); "
                        + "fmt.Println(\"IMAGE:\", len(p), len(p[0])) }\n"));
        Random random = new Random(7);
        for (String name : List.of("big", "a", "b", "c")) { // incompressible: their zips are as large as their data
            byte[] data = new byte[name.equals("big") ? 160 * 1024 : 80 * 1024];
            random.nextBytes(data);
            upstream.module("example.com/" + name, "v1.0.0", Map.of("data.go", "package " + name
                    + "\n\nconst N = 1\n", "blob.bin", new String(java.util.Base64.getEncoder().encode(data))));
        }
        upstream.module("example.com/flaky", "v1.0.0", Map.of("flaky.go", "package flaky\n\nconst S = \"healed\"\n"));
        server = ServerProcess.start(PREFIX, "--workers", "2", "--module-proxy", upstream.uri().toString(),
                "--module-sumdb", "off", "--module-max-file", "100KiB", "--module-fetch-bytes", "200KiB",
                "--module-fetch-files", "40");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (server != null) {
                server.stopCleanly();
            }
        } finally {
            upstream.close();
        }
    }

    private static JsonNode run(String program) throws Exception {
        return server.compileOk(program);
    }

    @Test
    void aModuleWithADependencyRunsAndAnotherProgramUsingItFetchesNothingMore() throws Exception {
        JsonNode first = run(GREET);
        assertThat(first.get("Errors").asText()).isEmpty();
        assertThat(CompileIT.stdout(first)).isEqualTo("hello, gopher from v1.1.0\n");

        int fetched = upstream.totalRequests();
        JsonNode second = run(GREET.replace("\"gopher\"", "\"again\""));
        assertThat(CompileIT.stdout(second)).isEqualTo("hello, again from v1.1.0\n");
        assertThat(upstream.totalRequests()).as("the server's module cache answered").isEqualTo(fetched);
    }

    @Test
    void theGoToursPicturesBuild() throws Exception {
        JsonNode r = run("package main\n\nimport \"golang.org/x/tour/pic\"\n\nfunc Pic(dx, dy int) [][]uint8 {\n"
                + "\tp := make([][]uint8, dy)\n\tfor y := range p {\n\t\tp[y] = make([]uint8, dx)\n\t}\n\treturn p\n}\n\n"
                + "func main() { pic.Show(Pic) }\n");
        assertThat(r.get("Errors").asText()).isEmpty();
        assertThat(CompileIT.stdout(r)).isEqualTo("IMAGE: 2 3\n");
    }

    @Test
    void aGoModPinsItsVersionAndAWrongGoSumLineIsRefusedByTheGoCommand() throws Exception {
        String pinned = "-- go.mod --\nmodule play\n\ngo 1.27\n\nrequire example.com/greeter v1.0.0\n-- prog.go --\n" + GREET;
        assertThat(CompileIT.stdout(run(pinned))).isEqualTo("hello, gopher from v1.0.0\n");

        String wrongSum = pinned + "-- go.sum --\n" + upstream.goSum("example.com/words", "v1.0.0")
                + "example.com/greeter v1.0.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
        JsonNode refused = run(wrongSum);
        assertThat(refused.get("Errors").asText()).contains("checksum mismatch", "SECURITY ERROR");
        assertThat(refused.get("Events").isNull()).isTrue();
    }

    @Test
    void aModuleThatDoesNotExistIsTheGoCommandsError() throws Exception {
        JsonNode r = run("package main\n\nimport \"example.com/nothere\"\n\nfunc main() { nothere.X() }\n");
        assertThat(r.get("Errors").asText()).contains("example.com/nothere", "404 Not Found")
                .doesNotContain("The sandbox has no network");
    }

    @Test
    void eachLimitIsAnAnswerThatNamesIt() throws Exception {
        JsonNode tooBig = run("package main\n\nimport big \"example.com/big\"\n\nfunc main() { println(big.N) }\n");
        assertThat(tooBig.get("Errors").asText()).contains("--module-max-file");

        JsonNode tooMuch = run("package main\n\nimport (\n\t\"example.com/a\"\n\t\"example.com/b\"\n\t\"example.com/c\"\n"
                + "\t\"example.com/greeter\"\n)\n\nfunc main() { println(a.N + b.N + c.N, greeter.Hello(\"\")) }\n");
        assertThat(tooMuch.get("Errors").asText()).contains("--module-fetch-bytes");
    }

    @Test
    void anUpstreamFailureIsNamedAndNeverCached() throws Exception {
        String program = "package main\n\nimport \"example.com/flaky\"\n\nfunc main() { println(flaky.S) }\n";
        upstream.fail("example.com/flaky/@v/list", 503);
        try {
            JsonNode failed = run(program);
            assertThat(failed.get("Errors").asText()).contains("502", "upstream");
        } finally {
            upstream.heal("example.com/flaky/@v/list");
        }
        JsonNode healed = run(program);
        assertThat(healed.get("Errors").asText()).as("the failure was not cached").isEmpty();
        assertThat(healed.get("Events").toString()).contains("healed");
    }

    @Test
    void theProgramCannotReachTheRelayAndItsSandboxHasNoNetwork() throws Exception {
        CompletableFuture<JsonNode> running = CompletableFuture.supplyAsync(() -> {
            try {
                return run(GREET.replace("func main() { fmt.Println(greeter.Hello(\"gopher\")) }", """
                        func main() {
                        \t_, err := net.Dial("tcp", "127.0.0.1:7878")
                        \tfmt.Println(greeter.Hello("relay"), err != nil)
                        \tfmt.Println(err)
                        }
                        """).replace("\t\"fmt\"\n", "\t\"fmt\"\n\t\"net\"\n"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // The warm pool's containers are the ones programs run in.
        List<String> names = await().atMost(Duration.ofSeconds(60)).until(() -> Docker.containers(PREFIX),
                n -> !n.isEmpty());
        String modes = Docker.run(concat(List.of("docker", "inspect", "-f", "{{.HostConfig.NetworkMode}}"), names));
        JsonNode r = running.get(60, TimeUnit.SECONDS);

        assertThat(modes.strip().split("\\s+")).as("every container of the server").allMatch(m -> m.equals("none"));
        assertThat(r.get("Errors").asText()).isEmpty();
        assertThat(CompileIT.stdout(r)).startsWith("hello, relay from v1.1.0 true\n").contains("connection refused");
    }

    private static String[] concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toArray(String[]::new);
    }
}
