package dev.compilerd.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.bertramlabs.plugins.hcl4j.HCLParser;
import com.bertramlabs.plugins.hcl4j.RuntimeSymbols.Variable;
import dev.compilerd.config.Defaults;
import dev.compilerd.config.SandboxLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks that terraform/, vm/compilerd.service and the server's {@link Defaults} agree on the port
 * and the timings: when they drift apart, VMs get killed mid-drain or get traffic while halting.
 * The arithmetic is explained in terraform/README.md.
 */
class FleetConfigTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir"));
    private static final List<String> HEALTH_CHECK_RANGES = List.of("35.191.0.0/16", "130.211.0.0/22");

    private static Terraform tf;
    private static Duration stopTimeout;

    @BeforeAll
    static void parse() throws Exception {
        tf = Terraform.parse(ROOT.resolve("terraform"));
        stopTimeout = timeoutStopSec(ROOT.resolve("vm/compilerd.service"));
    }

    @Test
    void loadBalancerHealthCheckRequestsHealthzOnTheServerPort() {
        Map<String, Object> check = tf.referenced(tf.list(backendService().get("health_checks")).get(0));
        assertRequestsHealthzOnServerPort(check);
    }

    @Test
    void autohealingUsesTheAutohealingCheckOnHealthzAndWaitsOutTheFirstBoot() {
        Map<String, Object> policy = tf.block(mig(), "auto_healing_policies");
        assertThat(tf.resolve(policy.get("health_check")))
                .isEqualTo("google_compute_health_check.autohealing.id");
        assertRequestsHealthzOnServerPort(tf.referenced(policy.get("health_check")));
        // startup.sh installs Docker + runsc and builds the sandbox image before /healthz can pass.
        assertThat(tf.number(policy.get("initial_delay_sec"))).isGreaterThanOrEqualTo(600);
    }

    @Test
    void namedPortBackendAndForwardingRuleAgreeOnTheServerPort() {
        Map<String, Object> namedPort = tf.block(mig(), "named_port");
        assertThat(namedPort.get("name")).isEqualTo("http");
        assertThat(tf.number(namedPort.get("port"))).isEqualTo(serverPort());
        Object portName = backendService().get("port_name");
        if (portName != null) {
            assertThat(tf.resolve(portName)).isEqualTo("http");
        }
        List<Object> ports = tf.list(tf.resource("google_compute_forwarding_rule", "compilerd").get("ports"));
        assertThat(ports).hasSize(1);
        assertThat(tf.number(ports.get(0))).isEqualTo(serverPort());
    }

    @Test
    void forwardingRuleHasAServiceLabelForItsDnsName() {
        assertThat(tf.resource("google_compute_forwarding_rule", "compilerd").get("service_label"))
                .isEqualTo("compilerd");
    }

    @Test
    void firewallAdmitsOnlyHealthCheckersAndFrontendsAndOnlyToTheServerPort() {
        tf.resources("google_compute_firewall").values().stream()
                .filter(rule -> rule.containsKey("allow"))
                .forEach(rule -> {
                    assertThat(tf.list(rule.get("source_ranges")).stream().map(tf::resolve))
                            .isNotEmpty()
                            .allSatisfy(range -> assertThat(range)
                                    .isIn(HEALTH_CHECK_RANGES.get(0), HEALTH_CHECK_RANGES.get(1), "var.frontend_cidr"));
                    assertThat(tf.list(tf.block(rule, "allow").get("ports")).stream().map(tf::number))
                            .containsOnly(serverPort());
                });
    }

    @Test
    void lameduckOutlastsTheLoadBalancersUnhealthyDetectionWindow() {
        Map<String, Object> lb = tf.referenced(tf.list(backendService().get("health_checks")).get(0));
        assertThat(Defaults.LAMEDUCK).as("lameduck vs LB interval x unhealthy threshold")
                .isGreaterThanOrEqualTo(detectionWindow(lb));
    }

    @Test
    void autohealingNeverCutsALameduckAndDrainShort() {
        Map<String, Object> heal = tf.referenced(tf.block(mig(), "auto_healing_policies").get("health_check"));
        // A VM in lameduck answers 503 on purpose: autohealing must not count that as dead.
        assertThat(detectionWindow(heal)).as("autohealing interval x unhealthy threshold vs lameduck + drain")
                .isGreaterThan(Defaults.LAMEDUCK.plus(Defaults.DRAIN_TIMEOUT));
    }

    @Test
    void systemdStopTimeoutCoversLameduckDrainAndAHardDeadline() {
        assertThat(stopTimeout).as("TimeoutStopSec vs lameduck + drain")
                .isGreaterThanOrEqualTo(Defaults.LAMEDUCK.plus(Defaults.DRAIN_TIMEOUT));
        assertThat(stopTimeout).as("TimeoutStopSec vs lameduck + hard deadline")
                .isGreaterThanOrEqualTo(Defaults.LAMEDUCK.plus(SandboxLimits.defaults().hardDeadline()));
        assertThat(Defaults.DRAIN_TIMEOUT).as("drain vs one hard deadline")
                .isGreaterThanOrEqualTo(SandboxLimits.defaults().hardDeadline());
    }

    @Test
    void systemdStopTimeoutFitsInTheVmsShutdownGrace() {
        assertThat(stopTimeout.toSeconds()).as("TimeoutStopSec vs GCE shutdown grace")
                .isLessThanOrEqualTo(tf.number("local.gce_shutdown_grace_sec"));
    }

    @Test
    void terraformLocalsMirrorTheServerDefaultsAndTheUnit() {
        assertThat(tf.number("local.lameduck_sec")).isEqualTo(Defaults.LAMEDUCK.toSeconds());
        assertThat(tf.number("local.drain_timeout_sec")).isEqualTo(Defaults.DRAIN_TIMEOUT.toSeconds());
        assertThat(tf.number("local.hard_deadline_sec")).isEqualTo(SandboxLimits.defaults().hardDeadline().toSeconds());
        assertThat(tf.number("local.systemd_stop_timeout_sec")).isEqualTo(stopTimeout.toSeconds());
    }

    @Test
    void rolloutAddsVmsBeforeRemovingAny() {
        Map<String, Object> policy = tf.block(mig(), "update_policy");
        assertThat(policy.get("type")).isEqualTo("PROACTIVE");
        assertThat(tf.number(policy.get("max_unavailable_fixed"))).isZero();
        assertThat(tf.number(policy.get("max_surge_fixed"))).isGreaterThanOrEqualTo(3); // one per zone
    }

    @Test
    void vmsBootFromTheRepositorysCloudInitWithoutSshKeys() throws IOException {
        Map<String, Object> metadata = tf.block(tf.resource("google_compute_instance_template", "compilerd"), "metadata");
        assertThat(metadata).containsKey("user-data").doesNotContainKeys("ssh-keys", "sshKeys");
        assertThat(metadata.get("block-project-ssh-keys")).isEqualTo("true");
        // hcl4j does not evaluate file(), so check the source text names the file, and that it exists.
        assertThat(tf.source()).contains("file(\"${path.module}/../vm/cloud-init.yaml\")");
        assertThat(Files.readString(ROOT.resolve("vm/cloud-init.yaml"))).startsWith("#cloud-config");
    }

    private static void assertRequestsHealthzOnServerPort(Map<String, Object> check) {
        Map<String, Object> http = tf.block(check, "http_health_check");
        assertThat(http.get("request_path")).isEqualTo("/healthz");
        assertThat(tf.number(http.get("port"))).isEqualTo(serverPort());
    }

    /** How long the checker needs to declare a VM unhealthy: interval x unhealthy threshold. */
    private static Duration detectionWindow(Map<String, Object> check) {
        return Duration.ofSeconds(tf.number(check.get("check_interval_sec")) * tf.number(check.get("unhealthy_threshold")));
    }

    /** var.port's default, which must be the server's default port. */
    private static long serverPort() {
        long port = tf.number("var.port");
        assertThat(port).as("var.port default").isEqualTo(Defaults.PORT);
        return port;
    }

    private static Map<String, Object> mig() {
        return tf.resource("google_compute_region_instance_group_manager", "compilerd");
    }

    private static Map<String, Object> backendService() {
        return tf.resource("google_compute_region_backend_service", "compilerd");
    }

    private static Duration timeoutStopSec(Path unit) throws IOException {
        Matcher m = Pattern.compile("(?m)^TimeoutStopSec=(\\d+)(s|sec|min)?\\s*$").matcher(Files.readString(unit));
        assertThat(m.find()).as("TimeoutStopSec= in %s", unit).isTrue();
        long n = Long.parseLong(m.group(1));
        return "min".equals(m.group(2)) ? Duration.ofMinutes(n) : Duration.ofSeconds(n);
    }

    /** The top-level blocks of every terraform/*.tf file, merged, with var./local. references resolved on demand. */
    private record Terraform(Map<String, Object> locals, Map<String, Map<String, Object>> variables,
                             Map<String, Map<String, Map<String, Object>>> resources, String source) {

        static Terraform parse(Path dir) throws Exception {
            Map<String, Object> locals = new LinkedHashMap<>();
            Map<String, Map<String, Object>> variables = new LinkedHashMap<>();
            Map<String, Map<String, Map<String, Object>>> resources = new LinkedHashMap<>();
            StringBuilder source = new StringBuilder();
            List<Path> files;
            try (Stream<Path> s = Files.list(dir)) {
                files = s.filter(p -> p.toString().endsWith(".tf")).sorted().toList();
            }
            assertThat(files).as("terraform files in %s", dir).isNotEmpty();
            for (Path file : files) {
                Map<String, Object> top = new HCLParser().parse(file.toFile(), StandardCharsets.UTF_8);
                source.append(Files.readString(file));
                locals.putAll(cast(top.getOrDefault("locals", Map.of())));
                Map<String, Map<String, Object>> vars = cast(top.getOrDefault("variable", Map.of()));
                variables.putAll(vars);
                Map<String, Map<String, Map<String, Object>>> res = cast(top.getOrDefault("resource", Map.of()));
                res.forEach((type, byName) -> resources.computeIfAbsent(type, t -> new LinkedHashMap<>()).putAll(byName));
            }
            return new Terraform(locals, variables, resources, source.toString());
        }

        Map<String, Map<String, Object>> resources(String type) {
            assertThat(resources).as("resources").containsKey(type);
            return resources.get(type);
        }

        Map<String, Object> resource(String type, String name) {
            assertThat(resources(type)).as("resource %s", type).containsKey(name);
            return resources(type).get(name);
        }

        /** The resource a reference like {@code google_compute_health_check.autohealing.id} points at. */
        Map<String, Object> referenced(Object reference) {
            String[] parts = String.valueOf(resolve(reference)).split("\\.");
            assertThat(parts).as("resource reference %s", reference).hasSizeGreaterThanOrEqualTo(2);
            return resource(parts[0], parts[1]);
        }

        /** A nested block that appears once (hcl4j gives a list when a block repeats). */
        Map<String, Object> block(Map<String, Object> parent, String name) {
            assertThat(parent).as("block %s", name).containsKey(name);
            assertThat(parent.get(name)).as("block %s appears once", name).isInstanceOf(Map.class);
            return cast(parent.get(name));
        }

        List<Object> list(Object value) {
            Object v = resolve(value);
            assertThat(v).as("list %s", value).isInstanceOf(List.class);
            return cast(v);
        }

        /** A whole number; terraform converts "8080" to a number where one is expected, so this does too. */
        long number(Object value) {
            Object v = resolve(value);
            if (v instanceof String s && s.matches("\\d+")) {
                return Long.parseLong(s);
            }
            assertThat(v).as("number %s", value).isInstanceOf(Number.class);
            double d = ((Number) v).doubleValue();
            assertThat(d).as("whole number %s", value).isEqualTo(Math.rint(d));
            return (long) d;
        }

        /** Follows var.X (to its default) and local.X; other references come back as their text. */
        Object resolve(Object value) {
            String ref = value instanceof Variable v ? v.getName() : value instanceof String s ? s : null;
            if (ref == null) {
                return value;
            }
            if (ref.startsWith("local.") && locals.containsKey(ref.substring(6))) {
                return resolve(locals.get(ref.substring(6)));
            }
            if (ref.startsWith("var.") && variables.containsKey(ref.substring(4))
                    && variables.get(ref.substring(4)).containsKey("default")) {
                return resolve(variables.get(ref.substring(4)).get("default"));
            }
            return ref;
        }

        @SuppressWarnings("unchecked")
        private static <T> T cast(Object o) {
            return (T) o;
        }
    }
}
