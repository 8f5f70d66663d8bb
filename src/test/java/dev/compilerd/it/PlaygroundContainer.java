package dev.compilerd.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.compilerd.config.Config;
import dev.compilerd.config.ConfigParser;
import dev.compilerd.sandbox.RunnerContract;
import dev.compilerd.sandbox.DockerCommand;
import dev.compilerd.sandbox.Instance;
import dev.compilerd.sandbox.Program;
import dev.compilerd.sandbox.RunnerProtocol;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One program through the sandbox image exactly as production runs it: the docker command comes from {@link
 * DockerCommand} through the real wrapper (so every isolation flag is the production one), the runner is PID 1,
 * and the header comes from {@link RunnerProtocol}. Returns the runner's one result line.
 */
final class PlaygroundContainer {
    static final String PREFIX = "compilerd-it-image";
    private static final ObjectMapper JSON = new ObjectMapper();

    private PlaygroundContainer() {}

    static JsonNode run(String source, String... flags) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--container-prefix", PREFIX));
        args.addAll(List.of(flags));
        Config config = new ConfigParser(System.getenv()).parse(args.toArray(String[]::new));
        DockerCommand docker = DockerCommand.from(config, Instance.current());
        String imageId = Docker.run(docker.imageId(config.sandbox().releases().get(0).image()).toArray(String[]::new))
                .strip();
        String name = docker.newName();
        Process p = new ProcessBuilder(docker.run(name, imageId)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String ready = out.readLine();
            if (!RunnerContract.RUNNER.readyLine().equals(ready)) {
                throw new AssertionError("unexpected first line: " + ready);
            }
            try (OutputStream in = p.getOutputStream()) {
                in.write(new RunnerProtocol(JSON, config.limits()).header(new Program(Map.of("prog.go", source), false)));
            }
            String result = out.readLine();
            String rest = out.readLine();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || rest != null) {
                throw new AssertionError("runner did not end with exactly one result and exit 0: " + result);
            }
            return JSON.readTree(result);
        } finally {
            p.destroyForcibly();
            Docker.run(docker.remove(name).toArray(String[]::new));
        }
    }
}
