package dev.compilerd.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Turns flags (with COMPILERD_* environment fallbacks) into one validated {@link Config}. */
public final class ConfigParser {
    /** Every flag the server takes, in the order --help lists them. */
    public static final List<Flag> FLAGS = List.of(
            new Flag("bind", Defaults.BIND, "address to listen on"),
            new Flag("port", Integer.toString(Defaults.PORT), "port to listen on (0 picks a free one)"),
            new Flag("image", Defaults.IMAGE, "sandbox image (built by vm/startup.sh)"),
            new Flag("runtime", Defaults.RUNTIME, "Docker runtime; anything but runsc is insecure and logged loudly"),
            new Flag("docker", Defaults.DOCKER, "docker command prefix, split on spaces"),
            new Flag("container-prefix", Defaults.CONTAINER_PREFIX, "name prefix and owner label of our containers"),
            new Flag("max-request", Values.formatBytes(Defaults.MAX_REQUEST_BYTES), "largest request body"),
            new Flag("body-timeout", Values.format(Defaults.BODY_TIMEOUT), "the whole request body must arrive within this"),
            new Flag("max-output", Values.formatBytes(Defaults.MAX_OUTPUT_BYTES), "largest program output (stdout+stderr)"),
            new Flag("build-timeout", Values.format(Defaults.BUILD_TIMEOUT), "soft deadline for vet + build"),
            new Flag("run-timeout", Values.format(Defaults.RUN_TIMEOUT), "soft deadline for running the program"),
            new Flag("deadline-margin", Values.format(Defaults.DEADLINE_MARGIN),
                    "hard deadline = build + run + this, then docker rm -f"),
            new Flag("memory", Values.formatBytes(Defaults.MEMORY_BYTES), "container memory (and memory+swap)"),
            new Flag("pids", Integer.toString(Defaults.PIDS), "container pids limit (64 breaks go build under runsc)"),
            new Flag("cpus", Double.toString(Defaults.CPUS), "container CPUs"),
            new Flag("tmpfs", Values.formatBytes(Defaults.TMPFS_BYTES), "size of the container's /tmp"),
            new Flag("workers", "0", "concurrent runs (0 = number of CPUs)"),
            new Flag("queue", Integer.toString(Defaults.QUEUE), "requests waiting for a worker before 503"),
            new Flag("queue-timeout", Values.format(Defaults.QUEUE_TIMEOUT), "longest wait for a worker before 503"),
            new Flag("cache-entries", Long.toString(Defaults.CACHE_ENTRIES), "most cached responses"),
            new Flag("cache-bytes", Values.formatBytes(Defaults.CACHE_BYTES), "most bytes of cached responses"),
            new Flag("pool", Integer.toString(Defaults.POOL), "warm containers kept started (0 = off)"),
            new Flag("pool-max-idle", Values.format(Defaults.POOL_MAX_IDLE), "recycle a warm container idle this long"),
            new Flag("lifetime-min", Values.format(Defaults.LIFETIME_MIN), "shortest lifetime before lameduck"),
            new Flag("lifetime-max", Values.format(Defaults.LIFETIME_MAX), "longest lifetime before lameduck (0 = forever)"),
            new Flag("lameduck", Values.format(Defaults.LAMEDUCK), "how long /healthz fails before draining"),
            new Flag("drain-timeout", Values.format(Defaults.DRAIN_TIMEOUT), "how long draining waits for accepted work"),
            new Flag("reap-interval", Values.format(Defaults.REAP_INTERVAL), "how often orphaned containers are removed"),
            new Flag("halt", "true", "run the halt command when the lifetime ends"),
            new Flag("halt-command", Defaults.HALT_COMMAND, "command that halts the VM, split on spaces"),
            new Flag("allow-origin", Defaults.ALLOW_ORIGIN, "CORS Access-Control-Allow-Origin"));

    /** The runner refuses more output than this, so the server may not ask for more. */
    static final long MAX_IO_BYTES = 1L << 20;

    private final Map<String, String> env;

    public ConfigParser(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** True when the arguments ask for --help. */
    public static boolean wantsHelp(String[] args) {
        return Arrays.stream(args).anyMatch(a -> a.equals("--help") || a.equals("-h"));
    }

    /** One screen listing every flag, its environment variable and its default. */
    public static String help() {
        StringBuilder b = new StringBuilder("Usage: java -jar compilerd.jar [--flag value | --flag=value]...\n\n"
                + "compilerd compiles and runs Go programs in a gVisor sandbox for playground frontends.\n\nFlags:\n");
        for (Flag f : FLAGS) {
            b.append(String.format("  --%-17s %s (env %s, default %s)%n", f.name(), f.help(), f.env(),
                    f.defaultValue().isEmpty() ? "\"\"" : f.defaultValue()));
        }
        return b.toString();
    }

    /** Parses and validates; the exception's message names the offending flag. */
    public Config parse(String[] args) throws ConfigException {
        Map<String, String> given = readArgs(args);
        Map<String, String> v = new HashMap<>();
        for (Flag f : FLAGS) {
            v.put(f.name(), given.getOrDefault(f.name(), env.getOrDefault(f.env(), f.defaultValue())));
        }
        Reader r = new Reader(v);
        int workers = r.integer("workers", 0, 1024);
        long maxOutput = r.bytes("max-output", 1024);
        long maxRequest = r.bytes("max-request", 1024);
        if (maxOutput > MAX_IO_BYTES || maxRequest > MAX_IO_BYTES) {
            throw new ConfigException("--max-output and --max-request must be at most 1MiB (the runner's own cap)");
        }
        SandboxLimits limits = new SandboxLimits(r.duration("build-timeout", true), r.duration("run-timeout", true),
                r.duration("deadline-margin", true), r.bytes("memory", 64L << 20), r.integer("pids", 32, 100_000),
                r.number("cpus"), r.bytes("tmpfs", 1L << 20), (int) maxOutput);
        Config c = new Config(r.text("bind"), r.integer("port", 0, 65535), r.text("image"), r.text("runtime"),
                r.words("docker"), r.name("container-prefix"), limits, (int) maxRequest, r.duration("body-timeout", true),
                workers == 0 ? Runtime.getRuntime().availableProcessors() : workers, r.integer("queue", 0, 100_000),
                r.duration("queue-timeout", true),
                r.integer("cache-entries", 0, Integer.MAX_VALUE), r.bytes("cache-bytes", 0), r.integer("pool", 0, 64),
                r.duration("pool-max-idle", true), r.duration("lifetime-min", false), r.duration("lifetime-max", false),
                r.duration("lameduck", false), r.duration("drain-timeout", false), r.duration("reap-interval", true),
                r.bool("halt"), r.words("halt-command"), r.text("allow-origin"));
        if (c.drainTimeout().compareTo(limits.hardDeadline()) < 0) {
            throw new ConfigException("--drain-timeout (" + Values.format(c.drainTimeout()) + ") must cover one hard"
                    + " deadline (build + run + margin = " + Values.format(limits.hardDeadline()) + ")");
        }
        if (c.lifetimeEnabled() && c.lifetimeMin().compareTo(c.lifetimeMax()) > 0) {
            throw new ConfigException("--lifetime-min (" + Values.format(c.lifetimeMin())
                    + ") must not exceed --lifetime-max (" + Values.format(c.lifetimeMax()) + ")");
        }
        return c;
    }

    private static Map<String, String> readArgs(String[] args) throws ConfigException {
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new ConfigException("unexpected argument '" + a + "' (see --help)");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            String n = name;
            if (FLAGS.stream().noneMatch(f -> f.name().equals(n))) {
                throw new ConfigException("unknown flag --" + name + " (see --help)");
            }
            if (value == null) {
                boolean boolFlag = name.equals("halt");
                if (boolFlag && (i + 1 == args.length || args[i + 1].startsWith("--"))) {
                    value = "true";
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new ConfigException("flag --" + name + " needs a value");
                }
            }
            given.put(name, value);
        }
        return given;
    }

    /** Typed access to the raw values, turning every parse failure into a message that names the flag. */
    private record Reader(Map<String, String> v) {
        private <T> T get(String flag, Function<String, T> parse) throws ConfigException {
            try {
                return parse.apply(v.get(flag).trim());
            } catch (RuntimeException e) {
                throw new ConfigException("--" + flag + ": " + (e.getMessage() == null ? "invalid" : e.getMessage()));
            }
        }

        String text(String flag) throws ConfigException {
            String s = v.get(flag).trim();
            if (s.isEmpty()) {
                throw new ConfigException("--" + flag + " must not be empty");
            }
            return s;
        }

        String name(String flag) throws ConfigException {
            String s = text(flag);
            if (!s.matches("[a-z0-9][a-z0-9_.-]{0,40}")) {
                throw new ConfigException("--" + flag + " must be lower-case letters, digits, '.', '_' or '-'");
            }
            return s;
        }

        List<String> words(String flag) throws ConfigException {
            return List.of(text(flag).split("\\s+"));
        }

        int integer(String flag, int min, int max) throws ConfigException {
            int n = get(flag, s -> {
                try {
                    return Integer.parseInt(s);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + s + "' is not a whole number");
                }
            });
            if (n < min || n > max) {
                throw new ConfigException("--" + flag + " must be between " + min + " and " + max + ", not " + n);
            }
            return n;
        }

        double number(String flag) throws ConfigException {
            double d = get(flag, s -> {
                try {
                    return Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + s + "' is not a number");
                }
            });
            if (!(d > 0 && d <= 64)) {
                throw new ConfigException("--" + flag + " must be above 0 and at most 64");
            }
            return d;
        }

        long bytes(String flag, long min) throws ConfigException {
            long n = get(flag, Values::bytes);
            if (n < min) {
                throw new ConfigException("--" + flag + " must be at least " + Values.formatBytes(min));
            }
            return n;
        }

        Duration duration(String flag, boolean positive) throws ConfigException {
            Duration d = get(flag, Values::duration);
            if (positive && d.isZero()) {
                throw new ConfigException("--" + flag + " must be above 0");
            }
            return d;
        }

        boolean bool(String flag) throws ConfigException {
            return get(flag, s -> switch (s) {
                case "true", "1", "yes" -> true;
                case "false", "0", "no" -> false;
                default -> throw new IllegalArgumentException("'" + s + "' is not true or false");
            });
        }
    }
}
