package dev.compilerd.config;

import java.io.PrintWriter;
import java.time.Duration;
import java.io.StringWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/** Turns flags (with COMPILERD_* environment fallbacks and {@link Defaults}) into one validated {@link Config}. */
public final class ConfigParser {
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

    private CommandLine commandLine(Flags flags) {
        CommandLine cli = new CommandLine(flags);
        cli.setDefaultValueProvider(new EnvironmentDefaults());
        cli.setUnmatchedOptionsArePositionalParams(false);
        cli.setTrimQuotes(false);
        cli.setOverwrittenOptionsAllowed(true); // the last of a repeated flag wins, as with most tools
        return cli;
    }

    /** A flag that is not given comes from its COMPILERD_* variable, else from its field's value in {@link Flags}. */
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
            // The default images follow the repository vm/startup.sh built them into.
            String repository = env.get(ReleaseImages.REPOSITORY_ENV);
            if (List.of(o.names()).contains("--go") && repository != null && !repository.isBlank()) {
                return ReleaseImages.defaultSpec(repository.strip());
            }
            return written(o);
        }
    }

    /** A flag's default (its field's initial value, from {@link Defaults}) as the flag would be written. */
    private static String written(OptionSpec o) {
        Object initial = o.initialValue();
        if (initial instanceof Duration d) {
            return Values.format(d);
        }
        if (o.converters().length > 0 && o.converters()[0] instanceof Flags.Size) {
            return Values.formatBytes(((Number) initial).longValue());
        }
        return initial == null ? null : String.valueOf(initial);
    }

    /** Every flag (by its first name, without dashes) and the default --help shows for it. */
    public Map<String, String> defaults() {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (OptionSpec o : commandLine(new Flags()).getCommandSpec().options()) {
            if (!o.usageHelp() && !o.versionHelp()) {
                out.put(o.names()[0].substring(2), written(o));
            }
        }
        return out;
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
