package dev.compilerd.config;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/** Turns flags (with COMPILERD_* environment fallbacks and {@link Defaults}) into one validated {@link Config}. */
public final class ConfigParser {
    /** The default of every flag, as the flag would be written. */
    static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry("bind", Defaults.BIND),
            Map.entry("port", Integer.toString(Defaults.PORT)),
            Map.entry("max-request", Values.formatBytes(Defaults.MAX_REQUEST_BYTES)),
            Map.entry("body-timeout", Values.format(Defaults.BODY_TIMEOUT)),
            Map.entry("allow-origin", Defaults.ALLOW_ORIGIN),
            Map.entry("image", Defaults.IMAGE),
            Map.entry("runtime", Defaults.RUNTIME),
            Map.entry("docker", Defaults.DOCKER),
            Map.entry("container-prefix", Defaults.CONTAINER_PREFIX),
            Map.entry("pool", Integer.toString(Defaults.POOL)),
            Map.entry("pool-max-idle", Values.format(Defaults.POOL_MAX_IDLE)),
            Map.entry("reap-interval", Values.format(Defaults.REAP_INTERVAL)),
            Map.entry("build-timeout", Values.format(Defaults.BUILD_TIMEOUT)),
            Map.entry("run-timeout", Values.format(Defaults.RUN_TIMEOUT)),
            Map.entry("deadline-margin", Values.format(Defaults.DEADLINE_MARGIN)),
            Map.entry("max-output", Values.formatBytes(Defaults.MAX_OUTPUT_BYTES)),
            Map.entry("memory", Values.formatBytes(Defaults.MEMORY_BYTES)),
            Map.entry("pids", Integer.toString(Defaults.PIDS)),
            Map.entry("nproc", Integer.toString(Defaults.NPROC)),
            Map.entry("cpus", Double.toString(Defaults.CPUS)),
            Map.entry("tmpfs", Values.formatBytes(Defaults.TMPFS_BYTES)),
            Map.entry("nofile", Integer.toString(Defaults.NOFILE)),
            Map.entry("address-space", Values.formatBytes(Defaults.ADDRESS_SPACE_BYTES)),
            Map.entry("workers", "0"),
            Map.entry("queue", Integer.toString(Defaults.QUEUE)),
            Map.entry("max-queue-wait", Values.format(Defaults.MAX_QUEUE_WAIT)),
            Map.entry("cache-entries", Long.toString(Defaults.CACHE_ENTRIES)),
            Map.entry("cache-bytes", Values.formatBytes(Defaults.CACHE_BYTES)),
            Map.entry("shared-cache", ""),
            Map.entry("shared-cache-ttl", Values.format(Defaults.SHARED_CACHE_TTL)),
            Map.entry("shared-cache-timeout", Values.format(Defaults.SHARED_CACHE_TIMEOUT)),
            Map.entry("shared-cache-max-value", Values.formatBytes(Defaults.SHARED_CACHE_MAX_VALUE_BYTES)),
            Map.entry("lifetime-min", Values.format(Defaults.LIFETIME_MIN)),
            Map.entry("lifetime-max", Values.format(Defaults.LIFETIME_MAX)),
            Map.entry("lameduck", Values.format(Defaults.LAMEDUCK)),
            Map.entry("drain-timeout", Values.format(Defaults.DRAIN_TIMEOUT)),
            Map.entry("halt", "true"),
            Map.entry("halt-command", Defaults.HALT_COMMAND));

    private final Map<String, String> env;

    public ConfigParser(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** The environment variable that supplies a flag that is not given: --max-output → COMPILERD_MAX_OUTPUT. */
    public static String envName(String flag) {
        return "COMPILERD_" + flag.replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** What the process should do with its arguments: run with a config, or print and exit. */
    public sealed interface Parsed permits Run, Print {}

    /** Run the server with this configuration. */
    public record Run(Config config) implements Parsed {}

    /** Print this (--help, --version) and exit 0. */
    public record Print(String text) implements Parsed {}

    /** Parses, answering --help and --version, or validates; the exception's message names the offending flag. */
    public Parsed read(String[] args) throws ConfigException {
        Flags flags = new Flags();
        CommandLine cli = commandLine(flags);
        try {
            cli.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new ConfigException(e.getMessage() + " (see --help)");
        }
        if (cli.isUsageHelpRequested()) {
            return new Print(cli.getUsageMessage(CommandLine.Help.Ansi.OFF));
        }
        if (cli.isVersionHelpRequested()) {
            StringWriter out = new StringWriter();
            cli.printVersionHelp(new PrintWriter(out), CommandLine.Help.Ansi.OFF);
            return new Print(out.toString());
        }
        return new Run(flags.toConfig());
    }

    /** Parses and validates flags that must describe a run (tests and tools). */
    public Config parse(String... args) throws ConfigException {
        Parsed p = read(args);
        if (p instanceof Run r) {
            return r.config();
        }
        throw new ConfigException("expected flags for a run, got a request for help or the version");
    }

    /** The usage text of --help. */
    public String help() {
        return commandLine(new Flags()).getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    private CommandLine commandLine(Flags flags) {
        CommandLine cli = new CommandLine(flags);
        cli.setDefaultValueProvider(new EnvironmentDefaults());
        cli.setUnmatchedOptionsArePositionalParams(false);
        cli.setTrimQuotes(false);
        cli.setOverwrittenOptionsAllowed(true); // the last of a repeated flag wins, as with most tools
        return cli;
    }

    /** A flag that is not given comes from its COMPILERD_* variable, else from {@link #DEFAULTS}. */
    private final class EnvironmentDefaults implements IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec arg) {
            if (!(arg instanceof OptionSpec o) || o.usageHelp() || o.versionHelp()) {
                return null;
            }
            for (String name : o.names()) { // an alias's variable counts too: --queue-timeout ← COMPILERD_QUEUE_TIMEOUT
                String fromEnv = env.get(envName(name.substring(2)));
                if (fromEnv != null) {
                    return fromEnv;
                }
            }
            return DEFAULTS.get(o.names()[0].substring(2));
        }
    }

    /** --version prints the jar's version (its manifest), or "dev" when run from classes. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ConfigParser.class.getPackage().getImplementationVersion();
            return new String[] {"compilerd " + (v == null ? "dev" : v)};
        }
    }
}
