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
 * Checks that terraform/, vm/compilerd.service, monitoring/ and the server's {@link Defaults} agree on
 * the port and the timings: when they drift apart, VMs get killed mid-drain or get traffic while
 * halting. Also checks the fleet's fences: egress allow-list, validated inputs, the optional shared
 * cache's wiring. The arithmetic is explained in terraform/README.md.
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
    void firewallAdmitsOnlyHealthCheckersFrontendsAndScrapersAndOnlyToTheServerPort() {
        assertThat(firewallRules("INGRESS", "allow")).isNotEmpty()
                .allSatisfy(rule -> {
                    Object sources = rule.get("source_ranges");
                    if (sources instanceof Variable v && v.getName().equals("var.metrics_scraper_cidrs")) {
                        return; // optional, validated below
                    }
                    assertThat(tf.list(sources).stream().map(tf::resolve))
                            .isNotEmpty()
                            .allSatisfy(range -> assertThat(range)
                                    .isIn(HEALTH_CHECK_RANGES.get(0), HEALTH_CHECK_RANGES.get(1), "var.frontend_cidr"));
                    assertThat(tf.list(tf.block(rule, "allow").get("ports")).stream().map(tf::number))
                            .containsOnly(serverPort());
                });
        assertDeniesEverythingBelow("INGRESS", "source_ranges");
        // Prometheus only when named, and never the whole internet.
        assertCountedBy("google_compute_firewall", "metrics_scrapers", "length(var.metrics_scraper_cidrs) > 0 ? 1 : 0");
        assertThat(tf.list(tf.resource("google_compute_firewall", "metrics_scrapers").get("source_ranges"))).isEmpty();
        String condition = validationCondition("metrics_scraper_cidrs");
        assertThat(condition).contains("cidrhost(c, 0)");
        assertThat(acceptedByPrefixRule(condition, "10.1.0.0/28")).isTrue();
        assertThat(acceptedByPrefixRule(condition, "0.0.0.0/0")).isFalse();
        assertThat(acceptedByPrefixRule(condition, "::/0")).isFalse();
    }

    @Test
    void egressIsDeniedExceptToGoogleApisTheDebianMirrorAndTheSharedCache() {
        Map<String, Object> deny = assertDeniesEverythingBelow("EGRESS", "destination_ranges");
        List<Map<String, Object>> allows = firewallRules("EGRESS", "allow");
        assertThat(allows).hasSize(3);
        assertThat(allows).allSatisfy(rule -> {
            assertThat(tf.number(rule.get("priority"))).as("an allow rule outranks the deny")
                    .isLessThan(tf.number(deny.get("priority")));
            assertThat(tf.block(rule, "allow").get("protocol")).isEqualTo("tcp");
            assertThat(tf.list(tf.block(rule, "allow").get("ports"))).isNotEmpty();
            assertThat(rule).doesNotContainKey("source_ranges");
        });
        Map<String, Object> apis = tf.resource("google_compute_firewall", "egress_google_apis");
        assertThat(tf.list(apis.get("destination_ranges"))).isNotEmpty()
                .allSatisfy(range -> assertThat(isWholeInternet(String.valueOf(range))).as(range.toString()).isFalse());
        assertThat(tf.list(tf.block(apis, "allow").get("ports")).stream().map(tf::number)).containsOnly(443L);
        Map<String, Object> mirror = tf.resource("google_compute_firewall", "egress_debian_mirror");
        assertThat(tf.resolve(mirror.get("destination_ranges"))).isEqualTo("var.debian_mirror_cidrs");
        assertThat(tf.list(tf.block(mirror, "allow").get("ports")).stream().map(tf::number)).containsOnly(80L, 443L);
        // Only with the cache, and only to its one address and port.
        Map<String, Object> cache = tf.resource("google_compute_firewall", "egress_shared_cache");
        assertCountedBy("google_compute_firewall", "egress_shared_cache", "var.shared_cache_enabled ? 1 : 0");
        assertThat(String.valueOf(tf.list(cache.get("destination_ranges")).get(0))).endsWith("host/32");
        assertThat(String.valueOf(tf.list(tf.block(cache, "allow").get("ports")).get(0))).endsWith(".port");
    }

    @Test
    void egressAllowListVariablesAreNonEmptyCidrsAndNeverTheWholeInternet() {
        for (String name : List.of("debian_mirror_cidrs", "google_apis_cidrs")) {
            String condition = validationCondition(name);
            assertThat(condition).as(name).contains("length(var." + name + ") > 0", "cidrhost(c, 0)");
            assertThat(acceptedByPrefixRule(condition, "199.36.153.8/30")).isTrue();
            assertThat(acceptedByPrefixRule(condition, "0.0.0.0/0")).as("0.0.0.0/0").isFalse();
            assertThat(acceptedByPrefixRule(condition, "::/0")).as("::/0").isFalse();
        }
        assertThat(tf.variables().get("debian_mirror_cidrs")).as("debian_mirror_cidrs is required").doesNotContainKey("default");
        assertThat(tf.list("var.google_apis_cidrs")).allSatisfy(range -> assertThat(isWholeInternet(String.valueOf(range))).isFalse());
    }

    @Test
    void frontendCidrMustBeACidrAndNeverTheWholeInternet() {
        String condition = validationCondition("frontend_cidr");
        assertThat(condition).contains("cidrhost(var.frontend_cidr, 0)");
        assertThat(acceptedByPrefixRule(condition, "10.0.0.0/24")).isTrue();
        assertThat(acceptedByPrefixRule(condition, "0.0.0.0/0")).isFalse();
        assertThat(acceptedByPrefixRule(condition, "::/0")).isFalse();
        assertThat(tf.variables().get("frontend_cidr")).doesNotContainKey("default");
    }

    @Test
    void releaseSha256IsRequiredAsSixtyFourLowercaseHexCharacters() throws IOException {
        assertThat(tf.variables().get("release_sha256")).as("no default: required").doesNotContainKey("default");
        Pattern hash = Pattern.compile(validationRegexes("release_sha256").get(0));
        assertThat(hash.matcher("0123456789abcdef".repeat(4)).find()).isTrue();
        assertThat(hash.matcher("0123456789ABCDEF".repeat(4)).find()).as("upper case").isFalse();
        assertThat(hash.matcher("0123456789abcdef".repeat(4).substring(1)).find()).as("63 chars").isFalse();
        assertThat(hash.matcher("").find()).as("empty").isFalse();
        Map<String, Object> metadata = tf.block(tf.resource("google_compute_instance_template", "compilerd"), "metadata");
        assertThat(tf.resolve(metadata.get("compilerd-release-sha256"))).isEqualTo("var.release_sha256");
        // The boot script refuses a VM without it, and checks the tarball against it.
        String boot = Files.readString(ROOT.resolve("vm/cloud-init.yaml"));
        assertThat(boot).contains("[[ \"$sha\" =~ ^[0-9a-f]{64}$ ]]", "sha256sum -c -");
    }

    @Test
    void sharedCacheIsOptionalAndReachesTheVmsThroughMetadata() throws IOException {
        Map<String, Object> redis = tf.resource("google_redis_instance", "shared_cache");
        assertCountedBy("google_redis_instance", "shared_cache", "var.shared_cache_enabled ? 1 : 0");
        assertThat(tf.variables().get("shared_cache_enabled").get("default")).isEqualTo(false);
        assertThat(tf.resolve(redis.get("authorized_network"))).isEqualTo("data.google_compute_network.vms.value.id");
        // hcl4j evaluates the local (and its condition) on its own, so read the source.
        assertThat(blockSource("resource \"google_compute_instance_template\" \"compilerd\""))
                .containsPattern("\"compilerd-shared-cache\"\\s*=\\s*local\\.shared_cache_url\\n");
        assertThat(tf.source()).contains("\"${var.shared_cache_tls ? \"rediss\" : \"redis\"}://${google_redis_instance.shared_cache[0].host}:"
                + "${google_redis_instance.shared_cache[0].port}\" : \"\"");
        String boot = Files.readString(ROOT.resolve("vm/cloud-init.yaml"));
        assertThat(boot).contains("md_optional attributes/compilerd-shared-cache", "COMPILERD_SHARED_CACHE=$cache");
    }

    @Test
    void googleDeletesEveryVmAfterItsLongestPossibleLife() {
        Map<String, Object> scheduling = tf.block(tf.resource("google_compute_instance_template", "compilerd"), "scheduling");
        assertThat(scheduling.get("instance_termination_action")).isEqualTo("DELETE");
        assertThat(scheduling.get("provisioning_model")).isEqualTo("STANDARD");
        Duration maxRun = Duration.ofSeconds(tf.number(tf.block(scheduling, "max_run_duration").get("seconds")));
        Duration firstBoot = Duration.ofSeconds(tf.number(tf.block(mig(), "auto_healing_policies").get("initial_delay_sec")));
        Duration life = firstBoot.plus(Defaults.LIFETIME_MAX).plus(Defaults.LAMEDUCK).plus(Defaults.DRAIN_TIMEOUT);
        assertThat(maxRun).as("max_run_duration vs first boot + longest lifetime + lameduck + drain").isGreaterThan(life);
        // ... and a boot that overruns the initial delay (replaced within the autohealing window) and the poweroff.
        Map<String, Object> heal = tf.referenced(tf.block(mig(), "auto_healing_policies").get("health_check"));
        assertThat(maxRun).as("max_run_duration vs that + autohealing window + TimeoutStopSec")
                .isGreaterThanOrEqualTo(life.plus(detectionWindow(heal)).plus(stopTimeout));
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
        // Even when the first failed probe lands right as lameduck begins, the last one comes this much later.
        Duration earliest = Duration.ofSeconds(tf.number(heal.get("check_interval_sec"))
                * (tf.number(heal.get("unhealthy_threshold")) - 1));
        assertThat(earliest).as("autohealing's earliest verdict vs lameduck + drain")
                .isGreaterThanOrEqualTo(Defaults.LAMEDUCK.plus(Defaults.DRAIN_TIMEOUT));
    }

    @Test
    void drainCoversTheLongestQueueWaitAndOneHardDeadline() {
        // A request queued just before draining starts gets a worker (or a 503) within the max queue wait,
        // then runs for at most one hard deadline.
        assertThat(Defaults.DRAIN_TIMEOUT).as("drain vs max queue wait + hard deadline")
                .isGreaterThanOrEqualTo(Defaults.MAX_QUEUE_WAIT.plus(SandboxLimits.defaults().hardDeadline()));
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
        assertThat(tf.number("local.max_queue_wait_sec")).isEqualTo(Defaults.MAX_QUEUE_WAIT.toSeconds());
        assertThat(tf.number("local.lifetime_max_sec")).isEqualTo(Defaults.LIFETIME_MAX.toSeconds());
        assertThat(tf.number("local.first_boot_sec"))
                .isEqualTo(tf.number(tf.block(mig(), "auto_healing_policies").get("initial_delay_sec")));
        assertThat(tf.number("local.drain_timeout_sec")).as("LB connection draining = drain")
                .isEqualTo(tf.number(backendService().get("connection_draining_timeout_sec")));
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

    @Test
    void alertThresholdsMirrorTheServerDefaults() throws IOException {
        String rules = Files.readString(ROOT.resolve("monitoring/rules/compilerd-alerts.yml"));
        assertThat(Long.parseLong(alertField(rules, "CompilerdQueueWaitOverLimit", "expr: .*> (\\d+)$")))
                .as("queue wait alert vs max queue wait").isEqualTo(Defaults.MAX_QUEUE_WAIT.toSeconds());
        assertThat(Long.parseLong(alertField(rules, "CompilerdQueueWaitHigh", "expr: .*> (\\d+)$")))
                .as("early queue wait alert vs half the max queue wait").isEqualTo(Defaults.MAX_QUEUE_WAIT.toSeconds() / 2);
        // A normal shutdown stays visible for lameduck + drain + one (60 s) scrape interval; with one-minute
        // evaluations the alert needs its `for:` plus one evaluation of it.
        Duration stuck = Duration.ofMinutes(Long.parseLong(alertField(rules, "CompilerdStuckShuttingDown", "for: (\\d+)m$")));
        assertThat(stuck.plusMinutes(1)).as("stuck-shutting-down alert vs lameduck + drain + a scrape interval")
                .isGreaterThan(Defaults.LAMEDUCK.plus(Defaults.DRAIN_TIMEOUT).plusSeconds(60));
    }

    /** One field of one alert in a Prometheus rule file, by a regex on its line. */
    private static String alertField(String rules, String alert, String lineRegex) {
        int start = rules.indexOf("- alert: " + alert + "\n");
        assertThat(start).as("alert %s", alert).isNotNegative();
        int end = rules.indexOf("- alert: ", start + 1);
        Matcher m = Pattern.compile("(?m)^\\s*" + lineRegex).matcher(rules.substring(start, end < 0 ? rules.length() : end));
        assertThat(m.find()).as("%s in alert %s", lineRegex, alert).isTrue();
        return m.group(1);
    }

    private static List<Map<String, Object>> firewallRules(String direction, String action) {
        return tf.resources("google_compute_firewall").values().stream()
                .filter(rule -> direction.equals(rule.get("direction")) && rule.containsKey(action))
                .toList();
    }

    /** The one deny rule of a direction: everything, from or to anywhere, below every allow rule. */
    private static Map<String, Object> assertDeniesEverythingBelow(String direction, String rangesKey) {
        List<Map<String, Object>> denies = firewallRules(direction, "deny");
        assertThat(denies).as("%s deny rules", direction).hasSize(1);
        Map<String, Object> deny = denies.get(0);
        assertThat(tf.block(deny, "deny").get("protocol")).isEqualTo("all");
        assertThat(tf.list(deny.get(rangesKey))).containsExactly("0.0.0.0/0");
        assertThat(tf.list(deny.get("target_tags")).stream().map(tf::resolve)).containsExactly(tf.resolve("local.tag"));
        firewallRules(direction, "allow").forEach(allow -> {
            assertThat(tf.number(allow.get("priority"))).isLessThan(tf.number(deny.get("priority")));
            assertThat(tf.list(allow.get("target_tags")).stream().map(tf::resolve)).containsExactly(tf.resolve("local.tag"));
        });
        return deny;
    }

    private static boolean isWholeInternet(String cidr) {
        return cidr.matches(".*/0+$");
    }

    /** The source text of a top-level block such as {@code variable "port"} (up to its closing brace). */
    private static String blockSource(String header) {
        Matcher m = Pattern.compile("(?s)(?m)^" + Pattern.quote(header) + " \\{\\n(.*?)^\\}$").matcher(tf.source());
        assertThat(m.find()).as("%s in terraform/", header).isTrue();
        return m.group(1);
    }

    /** The text of a variable's validation condition (hcl4j evaluates it, so read the source). */
    private static String validationCondition(String variable) {
        Matcher m = Pattern.compile("(?s)(?m)validation \\{.*?^\\s*condition\\s*=\\s*([^\\n]*)$").matcher(blockSource("variable \"" + variable + "\""));
        assertThat(m.find()).as("validation condition of var.%s", variable).isTrue();
        return m.group(1);
    }

    /** Whether a resource is created only when count's condition holds (hcl4j evaluates count, so read the source). */
    private static void assertCountedBy(String type, String name, String count) {
        assertThat(blockSource("resource \"" + type + "\" \"" + name + "\"")).as("%s.%s", type, name)
                .containsPattern("(?m)^\\s*count\\s*=\\s*" + Pattern.quote(count) + "\\s*$");
    }

    /** The regex("...") patterns in a variable's validation condition; RE2 and Java agree on these. */
    private static List<String> validationRegexes(String variable) {
        Matcher m = Pattern.compile("regex\\(\"([^\"]*)\"").matcher(validationCondition(variable));
        List<String> patterns = new java.util.ArrayList<>();
        while (m.find()) {
            patterns.add(m.group(1));
        }
        assertThat(patterns).as("regex() in the validation of var.%s", variable).isNotEmpty();
        return patterns;
    }

    /** Whether a CIDR passes the condition's regex() tests (cidrhost() is terraform's; not evaluated here). */
    private static boolean acceptedByPrefixRule(String condition, String cidr) {
        Matcher m = Pattern.compile("regex\\(\"([^\"]*)\"").matcher(condition);
        assertThat(m.find()).as("regex() in %s", condition).isTrue();
        boolean ok = true;
        do {
            ok &= Pattern.compile(m.group(1)).matcher(cidr).find();
        } while (m.find());
        return ok;
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
