package dev.compilerd.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The repository's scripts and other commands as a test runs them: output captured and echoed to the test log. */
final class Commands {
    /** The longest a script may take: release-images.sh pushes every release's image. */
    private static final long TIMEOUT_MINUTES = 20;

    record Result(int exit, String output) {}

    private Commands() {}

    /** Runs argv in {@code dir} with {@code env} added to this process's environment; returns its exit and output. */
    static Result run(Map<String, String> env, Path dir, List<String> argv) throws IOException, InterruptedException {
        ProcessBuilder b = new ProcessBuilder(argv).redirectErrorStream(true).directory(dir.toFile());
        b.environment().putAll(env);
        Process p = b.start();
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (var in = p.getInputStream()) {
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) != -1) {
                    String s = new String(buf, 0, n, StandardCharsets.UTF_8);
                    synchronized (out) {
                        out.append(s);
                    }
                    System.out.print(s);
                }
            } catch (IOException e) {
                // the process is gone
            }
        });
        reader.start();
        if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            p.destroyForcibly().waitFor();
            throw new IOException(String.join(" ", argv) + " took over " + TIMEOUT_MINUTES + " minutes");
        }
        reader.join();
        synchronized (out) {
            return new Result(p.exitValue(), out.toString());
        }
    }

    /** Runs argv in the working directory; fails with its output unless it exits 0, else returns the output. */
    static String ok(Map<String, String> env, List<String> argv) throws IOException, InterruptedException {
        return ok(env, Path.of("."), argv);
    }

    static String ok(Map<String, String> env, Path dir, List<String> argv) throws IOException, InterruptedException {
        Result r = run(env, dir, argv);
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", argv) + " exited " + r.exit() + ":\n" + r.output());
        }
        return r.output();
    }

    static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }
}
