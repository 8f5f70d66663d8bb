package dev.compilerd.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The docker CLI as tests see it: which containers of a prefix exist, and removing them. {@code env} names another
 * daemon (DOCKER_HOST, see {@link ScratchDaemon}); empty is this machine's.
 */
final class Docker {
    private Docker() {}

    static List<String> containers(String prefix) throws IOException, InterruptedException {
        return containers(Map.of(), prefix);
    }

    static List<String> containers(Map<String, String> env, String prefix) throws IOException, InterruptedException {
        String out = run(env, "docker", "ps", "-a", "--filter", "label=dev.compilerd.owner=" + prefix, "--format",
                "{{.Names}}");
        return Arrays.stream(out.split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    static void removeAll(Map<String, String> env, String prefix) throws IOException, InterruptedException {
        List<String> names = containers(env, prefix);
        if (!names.isEmpty()) {
            List<String> cmd = new ArrayList<>(List.of("docker", "rm", "-f"));
            cmd.addAll(names);
            run(env, cmd.toArray(String[]::new));
        }
    }

    static String run(String... argv) throws IOException, InterruptedException {
        return run(Map.of(), argv);
    }

    static String run(Map<String, String> env, String... argv) throws IOException, InterruptedException {
        ProcessBuilder b = new ProcessBuilder(argv).redirectErrorStream(true);
        b.environment().putAll(env);
        Process p = b.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", argv) + " timed out");
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
