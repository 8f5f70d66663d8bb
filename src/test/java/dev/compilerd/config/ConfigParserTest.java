package dev.compilerd.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigParserTest {
    private static final ConfigParser NO_ENV = new ConfigParser(Map.of());

    private static Config parse(String... args) throws ConfigException {
        return NO_ENV.parse(args);
    }

    @Test
    void noFlagsAndNoEnvironmentGiveTheDefaults() throws ConfigException {
        Config c = parse();

        assertThat(c.bind()).isEqualTo(Defaults.BIND);
        assertThat(c.port()).isEqualTo(Defaults.PORT);
        assertThat(c.image()).isEqualTo(Defaults.IMAGE);
        assertThat(c.runtime()).isEqualTo(Defaults.RUNTIME);
        assertThat(c.docker()).containsExactly("sudo", "-n", "docker");
        assertThat(c.containerPrefix()).isEqualTo(Defaults.CONTAINER_PREFIX);
        assertThat(c.limits()).isEqualTo(SandboxLimits.defaults());
        assertThat(c.maxRequestBytes()).isEqualTo(Defaults.MAX_REQUEST_BYTES);
        assertThat(c.workers()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(c.queue()).isEqualTo(Defaults.QUEUE);
        assertThat(c.cacheEntries()).isEqualTo(Defaults.CACHE_ENTRIES);
        assertThat(c.cacheBytes()).isEqualTo(Defaults.CACHE_BYTES);
        assertThat(c.pool()).isEqualTo(Defaults.POOL);
        assertThat(c.poolMaxIdle()).isEqualTo(Defaults.POOL_MAX_IDLE);
        assertThat(c.lifetimeMin()).isEqualTo(Defaults.LIFETIME_MIN);
        assertThat(c.lifetimeMax()).isEqualTo(Defaults.LIFETIME_MAX);
        assertThat(c.lameduck()).isEqualTo(Defaults.LAMEDUCK);
        assertThat(c.drainTimeout()).isEqualTo(Defaults.DRAIN_TIMEOUT);
        assertThat(c.reapInterval()).isEqualTo(Defaults.REAP_INTERVAL);
        assertThat(c.halt()).isTrue();
        assertThat(c.haltCommand()).containsExactly("sudo", "-n", "halt");
        assertThat(c.allowOrigin()).isEqualTo(Defaults.ALLOW_ORIGIN);
        assertThat(c.lifetimeEnabled()).isTrue();
        assertThat(c.ownerLabel()).isEqualTo("dev.compilerd.owner=compilerd");
    }

    @Test
    void flagValueMayFollowAsTheNextArgument() throws ConfigException {
        assertThat(parse("--port", "9000").port()).isEqualTo(9000);
    }

    @Test
    void flagValueMayFollowAnEqualsSign() throws ConfigException {
        assertThat(parse("--port=9000").port()).isEqualTo(9000);
        assertThat(parse("--run-timeout=3s").limits().runTimeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void valueAfterEqualsMayItselfContainEqualsSigns() throws ConfigException {
        assertThat(parse("--allow-origin=https://a.example/?x=1").allowOrigin()).isEqualTo("https://a.example/?x=1");
    }

    @Test
    void environmentVariableSuppliesAFlagThatIsNotGiven() throws ConfigException {
        Config c = new ConfigParser(Map.of("COMPILERD_PORT", "9001", "COMPILERD_MAX_OUTPUT", "32KiB")).parse(new String[0]);

        assertThat(c.port()).isEqualTo(9001);
        assertThat(c.limits().maxOutputBytes()).isEqualTo(32 * 1024);
    }

    @Test
    void flagBeatsEnvironmentVariable() throws ConfigException {
        Config c = new ConfigParser(Map.of("COMPILERD_PORT", "9001")).parse(new String[] {"--port", "9002"});

        assertThat(c.port()).isEqualTo(9002);
    }

    @Test
    void unknownFlagIsRejectedByName() {
        assertThatThrownBy(() -> parse("--prot", "80"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("unknown flag --prot (see --help)");
        assertThatThrownBy(() -> parse("--prot=80")).hasMessage("unknown flag --prot (see --help)");
    }

    @Test
    void argumentThatIsNotAFlagIsRejected() {
        assertThatThrownBy(() -> parse("8080"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("unexpected argument '8080' (see --help)");
    }

    @Test
    void flagWithoutValueAtTheEndIsRejected() {
        assertThatThrownBy(() -> parse("--queue", "5", "--port"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("flag --port needs a value");
    }

    @Test
    void badDurationNamesTheFlag() {
        assertThatThrownBy(() -> parse("--run-timeout", "5x"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("--run-timeout: '5x' is not a duration (write it like 500ms, 5s, 30m or 1h)");
    }

    @Test
    void badSizeNamesTheFlag() {
        assertThatThrownBy(() -> parse("--memory", "lots"))
                .hasMessage("--memory: 'lots' is not a size (write it like 65536, 64KiB or 512MiB)");
    }

    @Test
    void badNumberNamesTheFlag() {
        assertThatThrownBy(() -> parse("--port", "http")).hasMessage("--port: 'http' is not a whole number");
        assertThatThrownBy(() -> parse("--cpus", "one")).hasMessage("--cpus: 'one' is not a number");
    }

    @Test
    void numberOutOfRangeIsRejectedWithTheRange() {
        assertThatThrownBy(() -> parse("--port", "70000")).hasMessage("--port must be between 0 and 65535, not 70000");
        assertThatThrownBy(() -> parse("--pids", "16")).hasMessage("--pids must be between 32 and 100000, not 16");
        assertThatThrownBy(() -> parse("--cpus", "0")).hasMessage("--cpus must be above 0 and at most 64");
    }

    @Test
    void zeroTimeoutIsRejectedWhereOnlyAPositiveOneMakesSense() {
        assertThatThrownBy(() -> parse("--build-timeout", "0")).hasMessage("--build-timeout must be above 0");
    }

    @Test
    void sizeBelowItsFloorIsRejectedWithTheFloor() {
        assertThatThrownBy(() -> parse("--memory", "32m")).hasMessage("--memory must be at least 64MiB");
    }

    @Test
    void outputCapAboveTheRunnersCapIsRejected() {
        assertThatThrownBy(() -> parse("--max-output", "2MiB"))
                .hasMessage("--max-output and --max-request must be at most 1MiB (the runner's own cap)");
        assertThatThrownBy(() -> parse("--max-request", "2MiB"))
                .hasMessage("--max-output and --max-request must be at most 1MiB (the runner's own cap)");
    }

    @Test
    void outputCapOfSeveralGibibytesIsRejectedNotWrappedAround() {
        assertThatThrownBy(() -> parse("--max-output", "4GiB")).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> parse("--max-request", "2GiB")).isInstanceOf(ConfigException.class);
    }

    @Test
    void lifetimeMinAboveMaxIsRejected() {
        assertThatThrownBy(() -> parse("--lifetime-min", "2h", "--lifetime-max", "1h"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("--lifetime-min (2h) must not exceed --lifetime-max (1h)");
    }

    @Test
    void lifetimeMaxZeroTurnsRecyclingOffWhateverTheMin() throws ConfigException {
        Config c = parse("--lifetime-max", "0");

        assertThat(c.lifetimeEnabled()).isFalse();
        assertThat(c.lifetimeMin()).isEqualTo(Defaults.LIFETIME_MIN);
    }

    @Test
    void haltAloneMeansTrue() throws ConfigException {
        ConfigParser haltOffInEnv = new ConfigParser(Map.of("COMPILERD_HALT", "false"));

        assertThat(haltOffInEnv.parse(new String[] {"--halt"}).halt()).isTrue();
    }

    @Test
    void haltFollowedByAnotherFlagMeansTrueAndTheOtherFlagStillParses() throws ConfigException {
        Config c = new ConfigParser(Map.of("COMPILERD_HALT", "false")).parse(new String[] {"--halt", "--port", "1"});

        assertThat(c.halt()).isTrue();
        assertThat(c.port()).isEqualTo(1);
    }

    @Test
    void haltCanBeTurnedOff() throws ConfigException {
        assertThat(parse("--halt=false").halt()).isFalse();
        assertThat(parse("--halt", "false").halt()).isFalse();
        assertThat(new ConfigParser(Map.of("COMPILERD_HALT", "no")).parse(new String[0]).halt()).isFalse();
    }

    @Test
    void haltWithANonBooleanIsRejected() {
        assertThatThrownBy(() -> parse("--halt=maybe")).hasMessage("--halt: 'maybe' is not true or false");
    }

    @Test
    void workersZeroMeansOnePerCpu() throws ConfigException {
        assertThat(parse("--workers", "0").workers()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(parse("--workers", "3").workers()).isEqualTo(3);
    }

    @Test
    void negativeWorkersAreRejected() {
        assertThatThrownBy(() -> parse("--workers", "-1")).hasMessage("--workers must be between 0 and 1024, not -1");
    }

    @Test
    void commandFlagsAreSplitOnWhitespace() throws ConfigException {
        Config c = parse("--docker", "  sudo  -n docker ", "--halt-command", "systemctl poweroff");

        assertThat(c.docker()).containsExactly("sudo", "-n", "docker");
        assertThat(c.haltCommand()).containsExactly("systemctl", "poweroff");
    }

    @Test
    void emptyValueIsRejected() {
        assertThatThrownBy(() -> new ConfigParser(Map.of("COMPILERD_IMAGE", " ")).parse(new String[0]))
                .hasMessage("--image must not be empty");
    }

    @Test
    void containerPrefixMustBeASafeName() {
        assertThatThrownBy(() -> parse("--container-prefix", "Bad Name"))
                .hasMessage("--container-prefix must be lower-case letters, digits, '.', '_' or '-'");
    }

    @Test
    void helpListsEveryFlagWithItsEnvironmentVariable() {
        String help = ConfigParser.help();

        assertThat(ConfigParser.FLAGS).hasSizeGreaterThan(20);
        for (Flag f : ConfigParser.FLAGS) {
            assertThat(help).contains("--" + f.name() + " ").contains("env " + f.env() + ",");
        }
    }

    @Test
    void everyFlagsDefaultParses() {
        // help() prints these defaults; each must be a value the parser itself accepts.
        for (Flag f : ConfigParser.FLAGS) {
            org.assertj.core.api.Assertions.assertThatCode(() -> parse("--" + f.name(), f.defaultValue()))
                    .as("--%s %s", f.name(), f.defaultValue())
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void environmentNameIsTheUpperCasedFlagWithUnderscores() {
        assertThat(new Flag("max-output", "", "").env()).isEqualTo("COMPILERD_MAX_OUTPUT");
    }

    @Test
    void helpIsRecognisedInEitherSpelling() {
        assertThat(ConfigParser.wantsHelp(new String[] {"--port", "1", "--help"})).isTrue();
        assertThat(ConfigParser.wantsHelp(new String[] {"-h"})).isTrue();
        assertThat(ConfigParser.wantsHelp(new String[] {"--halt"})).isFalse();
    }

    @Test
    void configListsAreImmutable() throws ConfigException {
        List<String> docker = parse().docker();

        assertThatThrownBy(() -> docker.add("x")).isInstanceOf(UnsupportedOperationException.class);
    }
}
