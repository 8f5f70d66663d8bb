package dev.compilerd.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.Capability;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.utility.DockerImageName;

/**
 * The sandbox image under runsc with exactly the production isolation flags, as a Testcontainers container that
 * runs one program through the runner and exits. The header goes in through an environment variable because the
 * root filesystem is read-only.
 */
final class PlaygroundContainer extends GenericContainer<PlaygroundContainer> {
    static final String IMAGE = System.getProperty("compilerd.image", "compilerd/playground:latest");
    static final String LABEL = "compilerd-it-image";
    private static final ObjectMapper JSON = new ObjectMapper();

    PlaygroundContainer(String source, boolean vet, long runTimeoutMs) throws Exception {
        super(DockerImageName.parse(IMAGE));
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("files", Map.of("prog.go", source));
        header.put("vet", vet);
        header.put("buildTimeoutMs", 10_000);
        header.put("runTimeoutMs", runTimeoutMs);
        header.put("outputLimit", 64 * 1024);
        withEnv("HDR", JSON.writeValueAsString(header));
        withLabel("dev.compilerd.owner", LABEL);
        withCreateContainerCmdModifier(cmd -> {
            cmd.withEntrypoint("sh", "-c", "printf '%s\\n' \"$HDR\" | runner");
            cmd.withUser("65534:65534");
            cmd.getHostConfig()
                    .withRuntime("runsc")
                    .withNetworkMode("none")
                    .withReadonlyRootfs(true)
                    .withTmpFs(Map.of("/tmp", "rw,exec,size=134217728"))
                    .withCapDrop(Capability.ALL)
                    .withSecurityOpts(List.of("no-new-privileges"))
                    .withPidsLimit(128L)
                    .withMemory(512L << 20)
                    .withMemorySwap(512L << 20)
                    .withNanoCPUs(1_000_000_000L);
        });
        withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(90)));
    }

    /** Runs the program and returns the runner's JSON result (the line after the ready line). */
    JsonNode runToResult() throws Exception {
        start();
        String out = getLogs(OutputFrame.OutputType.STDOUT);
        String[] lines = out.split("\n", 2);
        if (lines.length < 2 || !lines[0].equals("compilerd-runner ready v1")) {
            throw new AssertionError("unexpected runner output: " + out);
        }
        return JSON.readTree(lines[1]);
    }
}
