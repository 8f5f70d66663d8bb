import com.google.common.base.Ticker;
import com.google.common.hash.Hashing;
import dev.compilerd.config.ModuleSettings;
import dev.compilerd.modules.Budget;
import dev.compilerd.modules.FakeModuleUpstream;
import dev.compilerd.modules.ModuleProxy;
import dev.compilerd.modules.Reply;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * The module proxy's cost per fetch, uncached (upstream fetch + disk write) and cached (disk read + SHA-256 check),
 * against a FakeModuleUpstream in its own JVM, so the CPU counted here (this JVM's, JIT and GC included) is the
 * server side's alone. Every reply is checked against the upstream's bytes. Run from the repository:
 *
 * <pre>
 * mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp "target/classes:target/test-classes:$(cat target/cp.txt)" bench/ModuleProxyBench.java
 * </pre>
 * Env: ROUNDS (5), N (100) module zips per round, SIZE (65536) bytes of each zip's source file (random text, so
 * the zip is about as large).
 */
public final class ModuleProxyBench {
    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(System.getenv().getOrDefault("ROUNDS", "5"));
        int n = Integer.parseInt(System.getenv().getOrDefault("N", "100"));
        int size = Integer.parseInt(System.getenv().getOrDefault("SIZE", "65536"));
        if (args.length > 0 && args[0].equals("upstream")) {
            serve(rounds + 1, n, size);
            return;
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process upstream = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "bench/ModuleProxyBench.java", "upstream").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            URI uri = URI.create(new BufferedReader(new InputStreamReader(upstream.getInputStream())).readLine());
            measure(uri, rounds, n);
        } finally {
            upstream.destroy();
        }
    }

    /** The upstream: (rounds) x n modules, one zip of about size bytes each; prints its URI, serves until killed. */
    private static void serve(int sets, int n, int size) throws Exception {
        FakeModuleUpstream up = FakeModuleUpstream.start();
        Random random = new Random(42);
        for (int set = 0; set < sets; set++) {
            for (int i = 0; i < n; i++) {
                char[] text = new char[size];
                for (int c = 0; c < size; c++) {
                    text[c] = (char) (' ' + random.nextInt(95));
                }
                up.module(path(set, i), "v1.0.0", Map.of("data.go", "package m\n\nvar S = `" + new String(text)
                        .replace('`', '.') + "`\n"));
            }
        }
        System.out.println(up.uri());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void measure(URI uri, int rounds, int n) throws Exception {
        Path dir = Files.createTempDirectory("module-proxy-bench");
        ModuleSettings settings = new ModuleSettings(Optional.of(uri), "off", 1L << 30, 100_000, 16L << 20, 1L << 30,
                dir, Duration.ofMinutes(5), Duration.ofSeconds(30)); // a measurement, not a limit
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        List<double[]> uncached = new ArrayList<>();
        List<double[]> cached = new ArrayList<>();
        Map<String, String> hashes = new HashMap<>();
        try (ModuleProxy proxy = new ModuleProxy(settings, ModuleProxy.upstreamClient(settings), Ticker.systemTicker(),
                new SimpleMeterRegistry())) {
            // Set 0 warms the JIT (both paths) and is not counted.
            for (int set = 0; set <= rounds; set++) {
                double[] miss = loop(proxy, os, set, n, hashes);
                double[] hit = loop(proxy, os, set, n, hashes);
                if (set > 0) {
                    uncached.add(miss);
                    cached.add(hit);
                    System.out.printf("round %d: uncached %.3f ms CPU, %.3f ms wall; cached %.3f ms CPU, %.3f ms wall"
                            + " per fetch (%d zips of about %d bytes)%n", set, miss[0], miss[1], hit[0], hit[1], n,
                            (long) miss[2]);
                }
            }
        } finally {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.out.println("uncached: CPU " + spread(uncached, 0) + " ms, wall " + spread(uncached, 1) + " ms per fetch");
        System.out.println("cached:   CPU " + spread(cached, 0) + " ms, wall " + spread(cached, 1) + " ms per fetch");
    }

    /**
     * One pass over a set's zips: [CPU ms per fetch, wall ms per fetch, bytes per zip]. Checks every reply: a 200
     * with a zip, the same bytes every time it is asked for.
     */
    private static double[] loop(ModuleProxy proxy, com.sun.management.OperatingSystemMXBean os, int set, int n,
                                 Map<String, String> hashes) throws Exception {
        long bytes = 0;
        long cpu0 = os.getProcessCpuTime();
        long wall0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            String zip = path(set, i) + "/@v/v1.0.0.zip";
            Budget budget = proxy.budget();
            Reply r = proxy.get(zip, budget);
            byte[] body = r.body().read();
            if (r.status() != 200 || body.length < 4 || body[0] != 'P' || body[1] != 'K') {
                throw new IllegalStateException(zip + ": " + r.status() + " " + new String(body));
            }
            String hash = Hashing.sha256().hashBytes(body).toString();
            if (!hashes.computeIfAbsent(zip, z -> hash).equals(hash)) {
                throw new IllegalStateException(zip + ": other bytes than the first time");
            }
            bytes += body.length;
        }
        return new double[] {(os.getProcessCpuTime() - cpu0) / 1e6 / n, (System.nanoTime() - wall0) / 1e6 / n,
            (double) bytes / n};
    }

    private static String spread(List<double[]> rounds, int k) {
        double[] v = rounds.stream().mapToDouble(r -> r[k]).sorted().toArray();
        return String.format("median %.3f (min %.3f, max %.3f)", v[v.length / 2], v[0], v[v.length - 1]);
    }

    private static String path(int set, int i) {
        return "example.com/bench/s" + set + "/m" + i;
    }
}
