package dev.compilerd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.compilerd.config.Config;
import dev.compilerd.config.ConfigParser;
import dev.compilerd.sandbox.Containers;
import dev.compilerd.sandbox.DockerCommand;
import dev.compilerd.sandbox.DockerSandbox;
import dev.compilerd.sandbox.Instance;
import dev.compilerd.sandbox.Preflight;
import dev.compilerd.sandbox.SandboxImage;
import dev.compilerd.sandbox.Program;
import dev.compilerd.sandbox.RunResult;
import dev.compilerd.sandbox.RunnerProtocol;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The warm pool against real Docker and runsc: one program per container, refills, recycles, drains, leaks nothing. */
class PoolIT {
    private static final String PREFIX = "compilerd-it-pool";
    private DockerSandbox sandbox;
    private Containers containers;

    private DockerSandbox start(String... flags) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--container-prefix", PREFIX));
        args.addAll(List.of(flags));
        Config config = new ConfigParser(System.getenv()).parse(args.toArray(String[]::new));
        ObjectMapper json = new ObjectMapper();
        DockerCommand docker = DockerCommand.from(config, Instance.current());
        RunnerProtocol protocol = new RunnerProtocol(json, config.limits());
        Preflight preflight = new Preflight(docker, json);
        preflight.check(Duration.ofSeconds(30));
        SandboxImage image = preflight.image(config.sandbox().releases().get(0).image(), Duration.ofSeconds(30));
        containers = new Containers(docker, protocol.maxResultBytes(), Instance::alive);
        sandbox = new DockerSandbox(containers, protocol, config.limits(), image,
                preflight.info(containers, image, protocol, Duration.ofSeconds(30)), config.sandbox().pool(), d -> { });
        return sandbox;
    }

    @AfterEach
    void drainLeavesNothing() throws Exception {
        if (sandbox != null) {
            sandbox.close();
            containers.close();
        }
        assertThat(Docker.containers(PREFIX)).as("containers after drain").isEmpty();
    }

    private static Program hello(String text) {
        return Program.of("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"" + text + "\") }\n");
    }

    private static String stdout(RunResult r) {
        return new String(r.run().stdout(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void eachProgramGetsItsOwnContainerWhichIsGoneAfterwardsAndThePoolRefills() throws Exception {
        DockerSandbox s = start("--pool", "2", "--pool-min", "2");
        await().atMost(Duration.ofSeconds(30)).until(() -> s.pool().idle() == 2);
        List<String> warm = Docker.containers(PREFIX);
        RunResult first = s.run(hello("one"));
        RunResult second = s.run(hello("two"));
        assertThat(stdout(first)).endsWith("one\n");
        assertThat(stdout(second)).endsWith("two\n");
        assertThat(first.container()).isNotEqualTo(second.container());
        assertThat(warm).contains(first.container(), second.container());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<String> now = Docker.containers(PREFIX);
            assertThat(now).hasSize(2).doesNotContain(first.container(), second.container());
        });
    }

    @Test
    void withoutTrafficOneContainerWaitsABurstGrowsThePoolAndAQuietSpellShrinksItAgain() throws Exception {
        DockerSandbox s = start("--pool", "3", "--pool-surplus-idle", "2s");
        await().atMost(Duration.ofSeconds(30)).until(() -> s.pool().idle() == 1);
        Thread.sleep(2000); // no request: one waiting container is all the pool keeps
        assertThat(Docker.containers(PREFIX)).hasSize(1);

        List<String> outputs = runAtOnce(s, 4);

        assertThat(outputs).containsExactly("run0\n", "run1\n", "run2\n", "run3\n");
        // Four requests with no gap between them: the pool refills beyond one while the burst is recent...
        await().atMost(Duration.ofSeconds(30)).until(() -> s.pool().idle() >= 2);
        // ...and a quiet spell of --pool-surplus-idle leaves one container waiting, none leaked.
        await().atMost(Duration.ofSeconds(30)).until(() -> Docker.containers(PREFIX).size() == 1
                && s.pool().idle() == 1);
    }

    /** Runs {@code n} programs at the same time; returns what each printed, in order. */
    private static List<String> runAtOnce(DockerSandbox s, int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<RunResult>> runs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Program p = hello("run" + i);
                runs.add(pool.submit(() -> s.run(p)));
            }
            List<String> out = new ArrayList<>();
            for (var f : runs) {
                String text = stdout(f.get());
                out.add(text.substring(text.lastIndexOf("run")));
            }
            return out;
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void idleContainersAreRecycled() throws Exception {
        start("--pool", "1", "--pool-max-idle", "2s");
        await().atMost(Duration.ofSeconds(30)).until(() -> Docker.containers(PREFIX).size() == 1);
        String original = Docker.containers(PREFIX).get(0);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            List<String> now = Docker.containers(PREFIX);
            return now.size() == 1 && !now.contains(original);
        });
    }

    @Test
    void deadlineCountsFromHandOverNotFromContainerStart() throws Exception {
        DockerSandbox s = start("--pool", "1", "--build-timeout", "3s", "--run-timeout", "1s",
                "--deadline-margin", "1s");
        await().atMost(Duration.ofSeconds(30)).until(() -> s.pool().idle() == 1);
        String warm = Docker.containers(PREFIX).get(0);
        // The container sits in the pool for longer than the whole hard deadline (5 s) before it gets a program.
        java.time.Instant started = java.time.Instant.parse(
                Docker.run("docker", "inspect", "-f", "{{.State.StartedAt}}", warm).strip());
        await().atMost(Duration.ofSeconds(30))
                .until(() -> java.time.Instant.now().isAfter(started.plus(Duration.ofSeconds(6))));
        RunResult r = s.run(hello("late"));
        assertThat(r.container()).isEqualTo(warm);
        assertThat(r.ending()).isEqualTo(RunResult.Ending.RUN);
        assertThat(stdout(r)).endsWith("late\n");
    }

    @Test
    void concurrentRunsBeyondThePoolStillSucceedAndNothingLeaks() throws Exception {
        DockerSandbox s = start("--pool", "1");
        List<java.util.concurrent.CompletableFuture<RunResult>> runs = new java.util.ArrayList<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            for (int i = 0; i < 3; i++) {
                String text = "run" + i;
                runs.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return s.run(hello(text));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
            for (int i = 0; i < 3; i++) {
                assertThat(stdout(runs.get(i).join())).endsWith("run" + i + "\n");
            }
        } finally {
            pool.shutdown();
        }
        assertThat(runs.stream().map(f -> f.join().container()).distinct()).hasSize(3);
    }
}
