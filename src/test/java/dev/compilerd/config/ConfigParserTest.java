package dev.compilerd.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConfigParserTest {
    private static Config parse(String... args) throws ConfigException {
        return new ConfigParser(Map.of()).parse(args);
    }

    @Test
    void theDefaultImagesFollowTheRepositoryStartupShBuiltThemInto() throws ConfigException {
        Config c = new ConfigParser(Map.of("COMPILERD_IMAGE_REPO", "compilerd-dev/playground")).parse();

        assertThat(c.sandbox().releases()).containsExactly(new ReleaseImage("go1.27", "compilerd-dev/playground:go1.27"),
                new ReleaseImage("go1.26", "compilerd-dev/playground:go1.26"));
        assertThat(new ConfigParser(Map.of("COMPILERD_IMAGE_REPO", "x/y", "COMPILERD_GO", "go1.27=a:b")).parse()
                .sandbox().releases()).containsExactly(new ReleaseImage("go1.27", "a:b"));
    }

    @Test
    void noFlagsAndNoEnvironmentGiveTheDefaults() throws ConfigException {
        Config c = parse();

        assertThat(c.http()).isEqualTo(new HttpSettings(Defaults.BIND, Defaults.PORT, Defaults.MAX_REQUEST_BYTES,
                Defaults.BODY_TIMEOUT, Defaults.ALLOW_ORIGIN));
        assertThat(c.sandbox()).isEqualTo(new SandboxSettings(List.of(new ReleaseImage("go1.27", "compilerd/playground:go1.27"),
                new ReleaseImage("go1.26", "compilerd/playground:go1.26")), Defaults.RUNTIME,
                List.of("sudo", "-n", "/usr/local/libexec/compilerd-docker"), Defaults.CONTAINER_PREFIX,
                new PoolSettings(Defaults.POOL_MIN, Defaults.POOL_MIN_OTHER, Defaults.POOL, Defaults.POOL_MAX_IDLE, Defaults.POOL_SURPLUS_IDLE),
                Defaults.REAP_INTERVAL));
        assertThat(c.limits()).isEqualTo(SandboxLimits.defaults());
        assertThat(c.admission()).isEqualTo(new AdmissionSettings(Runtime.getRuntime().availableProcessors(),
                Defaults.QUEUE, Defaults.MAX_QUEUE_WAIT));
        assertThat(c.cache()).isEqualTo(new CacheSettings(Defaults.CACHE_ENTRIES, Defaults.CACHE_BYTES, Optional.empty(),
                Defaults.SHARED_CACHE_TTL, Defaults.SHARED_CACHE_TIMEOUT, Defaults.SHARED_CACHE_MAX_VALUE_BYTES));
        assertThat(c.lifecycle()).isEqualTo(new LifecycleSettings(Defaults.LIFETIME_MIN, Defaults.LIFETIME_MAX,
                Defaults.RETIRE_AT_ONCE, Defaults.RETIRE_TURN, Defaults.RETIRE_TURN_WAIT, Defaults.LAMEDUCK,
                Defaults.DRAIN_TIMEOUT, true, List.of("sudo", "-n", "halt")));
        assertThat(c.lifecycle().lifetimeEnabled()).isTrue();
        assertThat(c.modules()).isEqualTo(new ModuleSettings(Optional.empty(), Defaults.MODULE_SUMDB,
                Defaults.MODULE_FETCH_BYTES, Defaults.MODULE_FETCH_FILES, Defaults.MODULE_MAX_FILE_BYTES,
                Defaults.MODULE_CACHE_BYTES, Path.of(Defaults.MODULE_CACHE_DIR), Defaults.MODULE_LIST_TTL,
                Defaults.MODULE_TIMEOUT));
        assertThat(c.modules().enabled()).isFalse();
    }

    @Test
    void moduleProxyFlagsLandInTheirFieldsAndTheirVariablesWork() throws ConfigException {
        Config c = new ConfigParser(Map.of("COMPILERD_MODULE_PROXY", "https://proxy.golang.org/",
                "COMPILERD_MODULE_SUMDB", "off")).parse("--module-fetch-bytes", "2MiB", "--module-fetch-files", "7",
                "--module-max-file", "1MiB", "--module-cache-bytes", "3MiB", "--module-cache-dir", "/var/cache/x",
                "--module-list-ttl", "2m", "--module-timeout", "3s");

        assertThat(c.modules()).isEqualTo(new ModuleSettings(Optional.of(URI.create("https://proxy.golang.org")), "off",
                2L << 20, 7, 1L << 20, 3L << 20, Path.of("/var/cache/x"), Duration.ofMinutes(2), Duration.ofSeconds(3)));
        assertThat(c.modules().enabled()).isTrue();
        assertThat(c.modules().sumdbName()).isEmpty();
        assertThat(parse("--module-proxy", "https://x.example/go/p/r", "--module-sumdb",
                "sum.example.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8").modules().sumdbName())
                .contains("sum.example.org");
        assertThat(parse("--module-proxy", "http://127.0.0.1:3000").modules().sumdbName()).contains("sum.golang.org");
    }

    @Test
    void moduleProxyFlagsAreCheckedByName() {
        assertThatThrownBy(() -> parse("--module-proxy", "ftp://x.example")).hasMessageStartingWith("--module-proxy must be");
        assertThatThrownBy(() -> parse("--module-proxy", "https://u:p@x.example")).hasMessageStartingWith("--module-proxy");
        assertThatThrownBy(() -> parse("--module-proxy", "https://x.example/?a=b")).hasMessageStartingWith("--module-proxy");
        assertThatThrownBy(() -> parse("--module-sumdb", "Sum Golang")).hasMessageStartingWith("--module-sumdb must be");
        assertThatThrownBy(() -> parse("--module-max-file", "32MiB"))
                .hasMessage("--module-max-file must be between 1KiB and 24MiB, not 32MiB");
        assertThatThrownBy(() -> parse("--module-fetch-files", "0")).hasMessageStartingWith("--module-fetch-files");
        assertThatThrownBy(() -> parse("--module-list-ttl", "0")).hasMessageStartingWith("--module-list-ttl");
        assertThatThrownBy(() -> parse("--module-proxy", "https://proxy.golang.org", "--module-timeout", "10s"))
                .hasMessageStartingWith("--module-timeout (10s) must be below --build-timeout (10s)");
        assertThatCode(() -> parse("--build-timeout", "4s")).as("without a proxy its timeout does not matter")
                .doesNotThrowAnyException();
    }

    @Test
    void everyDurationAndSizeFlagLandsInItsOwnField() throws ConfigException {
        // Distinct values for every flag of one type: a swapped constructor argument cannot pass this.
        Config c = parse("--body-timeout", "1s", "--pool-max-idle", "2s", "--reap-interval", "3s",
                "--build-timeout", "4s", "--run-timeout", "5s", "--deadline-margin", "6s", "--max-queue-wait", "7s",
                "--shared-cache-ttl", "8s", "--shared-cache-timeout", "9s", "--lifetime-min", "10s",
                "--lifetime-max", "11s", "--lameduck", "12s", "--drain-timeout", "30s", "--pool-surplus-idle", "13s",
                "--retire-turn", "14s", "--retire-turn-wait", "15s", "--retire-at-once", "2",
                "--max-request", "2KiB", "--max-output", "3KiB", "--memory", "100MiB", "--tmpfs", "5MiB",
                "--address-space", "600MiB", "--cache-bytes", "7KiB", "--shared-cache-max-value", "8KiB",
                "--pids", "1000", "--nproc", "300", "--nofile", "400", "--workers", "5", "--queue", "6",
                "--pool", "7", "--pool-min", "3", "--cache-entries", "8", "--port", "9", "--cpus", "1.5",
                "--bench-share", "0.25");
        assertThat(List.of(c.http().bodyTimeout(), c.sandbox().pool().maxIdle(), c.sandbox().reapInterval(),
                c.limits().buildTimeout(), c.limits().runTimeout(), c.limits().deadlineMargin(),
                c.admission().maxQueueWait(), c.cache().sharedTtl(), c.cache().sharedTimeout(),
                c.lifecycle().lifetimeMin(), c.lifecycle().lifetimeMax(), c.lifecycle().lameduck(),
                c.lifecycle().drainTimeout(), c.sandbox().pool().surplusIdle(), c.lifecycle().retireTurn(),
                c.lifecycle().retireTurnWait())).containsExactly(secs(1), secs(2), secs(3), secs(4), secs(5), secs(6),
                secs(7), secs(8), secs(9), secs(10), secs(11), secs(12), secs(30), secs(13), secs(14), secs(15));
        assertThat(c.lifecycle().retireAtOnce()).isEqualTo(2);
        assertThat(List.of((long) c.http().maxRequestBytes(), (long) c.limits().maxOutputBytes(), c.limits().memoryBytes(),
                c.limits().tmpfsBytes(), c.limits().addressSpaceBytes(), c.cache().bytes(),
                (long) c.cache().sharedMaxValueBytes())).containsExactly(2L << 10, 3L << 10, 100L << 20, 5L << 20,
                600L << 20, 7L << 10, 8L << 10);
        assertThat(List.of(c.limits().pids(), c.limits().nproc(), c.limits().nofile(), c.admission().workers(),
                c.admission().queue(), c.sandbox().pool().max(), (int) c.cache().entries(), c.http().port(),
                c.sandbox().pool().min())).containsExactly(1000, 300, 400, 5, 6, 7, 8, 9, 3);
        assertThat(c.limits().cpus()).isEqualTo(1.5);
        assertThat(c.limits().benchShare()).isEqualTo(0.25);
        assertThat(c.limits().benchBudget()).isEqualTo(Duration.ofMillis(1250));
    }

    @Test
    void poolMinimumMustBePositiveAndNotAboveTheMaximumUnlessThePoolIsOff() throws ConfigException {
        assertThat(parse("--pool", "0").sandbox().pool().min()).isZero();
        assertThatThrownBy(() -> parse("--pool", "2", "--pool-min", "5")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("--pool-min (5) must not exceed --pool (2)");
        assertThatThrownBy(() -> parse("--pool-min", "0")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("--pool-min");
    }

    private static Duration secs(int s) {
        return Duration.ofSeconds(s);
    }

    @Test
    void flagValueMayFollowAsTheNextArgumentOrAnEqualsSign() throws ConfigException {
        assertThat(parse("--port", "9000").http().port()).isEqualTo(9000);
        assertThat(parse("--port=9000").http().port()).isEqualTo(9000);
        assertThat(parse("--run-timeout=3s").limits().runTimeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void valueAfterEqualsMayItselfContainEqualsSigns() throws ConfigException {
        assertThat(parse("--allow-origin=https://a.example/?x=1").http().allowOrigin()).isEqualTo("https://a.example/?x=1");
    }

    @Test
    void environmentVariableSuppliesAFlagThatIsNotGivenAndTheFlagWins() throws ConfigException {
        ConfigParser p = new ConfigParser(Map.of("COMPILERD_PORT", "9001", "COMPILERD_MAX_OUTPUT", "32KiB"));

        assertThat(p.parse().http().port()).isEqualTo(9001);
        assertThat(p.parse().limits().maxOutputBytes()).isEqualTo(32 * 1024);
        assertThat(p.parse("--port", "9002").http().port()).isEqualTo(9002);
    }

    @Test
    void maxQueueWaitAlsoAnswersToTheOldQueueTimeoutFlagAndVariable() throws ConfigException {
        assertThat(parse("--queue-timeout", "4s").admission().maxQueueWait()).isEqualTo(Duration.ofSeconds(4));
        assertThat(new ConfigParser(Map.of("COMPILERD_QUEUE_TIMEOUT", "6s")).parse().admission().maxQueueWait())
                .isEqualTo(Duration.ofSeconds(6));
    }

    @Test
    void unknownFlagAndStrayArgumentAreRejectedByName() {
        assertThatThrownBy(() -> parse("--prot", "80")).isInstanceOf(ConfigException.class).hasMessageContaining("--prot");
        assertThatThrownBy(() -> parse("8080")).isInstanceOf(ConfigException.class).hasMessageContaining("8080");
    }

    @Test
    void flagWithoutValueAtTheEndIsRejected() {
        assertThatThrownBy(() -> parse("--queue", "5", "--port")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("--port");
    }

    @Test
    void badValuesNameTheFlag() {
        assertThatThrownBy(() -> parse("--run-timeout", "5x")).hasMessageContaining("--run-timeout")
                .hasMessageContaining("'5x' is not a duration");
        assertThatThrownBy(() -> parse("--memory", "lots")).hasMessageContaining("--memory")
                .hasMessageContaining("'lots' is not a size");
        assertThatThrownBy(() -> parse("--port", "http")).hasMessageContaining("--port").hasMessageContaining("http");
        assertThatThrownBy(() -> parse("--cpus", "one")).hasMessageContaining("--cpus").hasMessageContaining("one");
    }

    @Test
    void valuesOutOfRangeAreRejectedWithTheRange() {
        assertThatThrownBy(() -> parse("--port", "70000")).hasMessage("--port must be between 0 and 65535, not 70000");
        assertThatThrownBy(() -> parse("--pids", "16")).hasMessage("--pids must be between 64 and 16384, not 16");
        assertThatThrownBy(() -> parse("--cpus", "0")).hasMessage("--cpus must be above 0 and at most 16, not 0.0");
        assertThatThrownBy(() -> parse("--bench-share", "0.5")).hasMessageStartingWith(
                "--bench-share must be above 0 and at most 0.45");
        assertThatThrownBy(() -> parse("--memory", "32MiB")).hasMessage("--memory must be between 64MiB and 8GiB, not 32MiB");
        assertThatThrownBy(() -> parse("--workers", "-1")).hasMessage("--workers must be between 0 and 1024, not -1");
    }

    @Test
    void hostPidsMustLeaveRoomAboveTheProgramsProcessLimit() {
        assertThatThrownBy(() -> parse("--pids", "600", "--nproc", "512"))
                .hasMessageStartingWith("--pids (600) must exceed --nproc (512) by at least 256");
    }

    @Test
    void zeroTimeoutIsRejectedWhereOnlyAPositiveOneMakesSense() {
        assertThatThrownBy(() -> parse("--build-timeout", "0")).hasMessage("--build-timeout must be above 0");
    }

    @Test
    void outputCapAboveTheRunnersCapIsRejectedNotWrappedAround() {
        assertThatThrownBy(() -> parse("--max-output", "2MiB")).hasMessageStartingWith("--max-output must be between");
        assertThatThrownBy(() -> parse("--max-request", "2MiB")).hasMessageStartingWith("--max-request must be between");
        assertThatThrownBy(() -> parse("--max-output", "4GiB")).isInstanceOf(ConfigException.class);
    }

    @Test
    void drainMustCoverOneHardDeadline() {
        assertThatThrownBy(() -> parse("--drain-timeout", "10s"))
                .hasMessage("--drain-timeout (10s) must cover one hard deadline (build + run + margin = 17s)");
    }

    @Test
    void lifetimeMinAboveMaxIsRejectedButMaxZeroTurnsRecyclingOff() throws ConfigException {
        assertThatThrownBy(() -> parse("--lifetime-min", "2h", "--lifetime-max", "1h"))
                .hasMessage("--lifetime-min (2h) must not exceed --lifetime-max (1h)");
        assertThat(parse("--lifetime-min", "2h", "--lifetime-max", "0").lifecycle().lifetimeEnabled()).isFalse();
    }

    @Test
    void haltAloneMeansTrueAndCanBeTurnedOff() throws ConfigException {
        ConfigParser haltOffInEnv = new ConfigParser(Map.of("COMPILERD_HALT", "false"));
        assertThat(haltOffInEnv.parse("--halt").lifecycle().halt()).isTrue();
        Config c = haltOffInEnv.parse("--halt", "--port", "1");
        assertThat(c.lifecycle().halt()).isTrue();
        assertThat(c.http().port()).isEqualTo(1);
        assertThat(parse("--halt=false").lifecycle().halt()).isFalse();
        assertThat(parse("--halt", "false").lifecycle().halt()).isFalse();
        assertThatThrownBy(() -> parse("--halt=maybe")).hasMessageContaining("--halt").hasMessageContaining("maybe");
    }

    @Test
    void commandFlagsAreSplitOnWhitespace() throws ConfigException {
        Config c = parse("--docker", "  sudo  -n docker ", "--halt-command", "systemctl poweroff");

        assertThat(c.sandbox().docker()).containsExactly("sudo", "-n", "docker");
        assertThat(c.lifecycle().haltCommand()).containsExactly("systemctl", "poweroff");
    }

    @Test
    void emptyValueIsRejected() {
        assertThatThrownBy(() -> new ConfigParser(Map.of("COMPILERD_IMAGE", " ")).parse())
                .hasMessage("--go names no Go release");
    }

    @Test
    void containerPrefixMustBeASafeName() {
        assertThatThrownBy(() -> parse("--container-prefix", "Bad Name"))
                .hasMessageStartingWith("--container-prefix must be lower-case letters, digits, '.', '_' or '-'");
    }

    @Test
    void sharedCacheTakesARedisUrlAndNothingElse() throws ConfigException {
        assertThat(parse("--shared-cache", "redis://10.0.0.5:6379").cache().shared())
                .contains(URI.create("redis://10.0.0.5:6379"));
        assertThat(parse("--shared-cache", "rediss://cache.internal:6380").cache().shared()).isPresent();
        assertThatThrownBy(() -> parse("--shared-cache", "http://x:1")).hasMessageStartingWith("--shared-cache must look like");
    }

    @Test
    void helpListsEveryFlagAndTheEnvironmentRule() throws ConfigException {
        ConfigParser.Parsed p = new ConfigParser(Map.of()).read(new String[] {"--port", "1", "--help"});

        assertThat(p).isInstanceOf(ConfigParser.Print.class);
        String help = ((ConfigParser.Print) p).text();
        Map<String, String> defaults = new ConfigParser(Map.of()).defaults();
        assertThat(defaults).hasSizeGreaterThan(30).containsEntry("memory", "512MiB").containsEntry("run-timeout", "5s")
                .containsEntry("shared-cache", "").containsEntry("halt", "true").containsEntry("cpus", "1.0");
        for (String flag : defaults.keySet()) {
            assertThat(help).contains("--" + flag);
        }
        assertThat(help).contains("COMPILERD_MAX_OUTPUT", "default 64KiB", "default 10s");
        assertThat(new ConfigParser(Map.of()).read(new String[] {"-h"})).isInstanceOf(ConfigParser.Print.class);
        assertThat(((ConfigParser.Print) new ConfigParser(Map.of()).read(new String[] {"--version"})).text())
                .startsWith("compilerd ");
    }

    @Test
    void everyFlagsDefaultParsesAsTheFlagsValue() {
        // --help prints these defaults; each must be a value the parser itself accepts.
        new ConfigParser(Map.of()).defaults().forEach((flag, value) -> assertThatCode(() -> parse("--" + flag + "=" + value))
                .as("--%s=%s", flag, value).doesNotThrowAnyException());
    }

    @Test
    void environmentNameIsTheUpperCasedFlagWithUnderscores() {
        assertThat(ConfigParser.envName("max-output")).isEqualTo("COMPILERD_MAX_OUTPUT");
    }

    @Test
    void configListsAreImmutable() throws ConfigException {
        List<String> docker = parse().sandbox().docker();

        assertThatThrownBy(() -> docker.add("x")).isInstanceOf(UnsupportedOperationException.class);
    }
}
