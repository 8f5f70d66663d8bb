package dev.compilerd.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.bertramlabs.plugins.hcl4j.RuntimeSymbols.Variable;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Checks the fleet's structure and fences in terraform/: health checks and ports that agree with the server, the
 * firewall and egress allow-list, validated inputs, the optional shared cache's wiring, rollouts and boot.
 */
class FleetConfigTest extends FleetTestBase {
    private static final List<String> HEALTH_CHECK_RANGES = List.of("35.191.0.0/16", "130.211.0.0/22");
    private static final Pattern REGEX_CALL = Pattern.compile("regex\\(\"([^\"]*)\"");

    @Test
    void loadBalancerHealthCheckRequestsHealthzOnTheServerPort() {
        assertRequestsHealthzOnServerPort(lbHealthCheck());
    }

    @Test
    void autohealingAndTheAutoscalerWaitOutTheMeasuredFirstBootOnHealthz() {
        Map<String, Object> policy = autohealingPolicy();
        assertThat(tf.resolve(policy.get("health_check")))
                .isEqualTo("google_compute_health_check.autohealing.id");
        assertRequestsHealthzOnServerPort(autohealingCheck());
        // The measured boot (packages, the pulled images, the server's start) plus half again, for both.
        long firstBoot = tf.number(policy.get("initial_delay_sec"));
        assertThat(firstBoot).isEqualTo(tf.number("local.first_boot_sec"))
                .isGreaterThanOrEqualTo(tf.number("local.boot_estimate_sec") * 3 / 2);
        Map<String, Object> scaling = tf.block(tf.resource("google_compute_region_autoscaler", "compilerd"),
                "autoscaling_policy");
        assertThat(tf.number(scaling.get("cooldown_period"))).as("autoscaler cooldown").isEqualTo(firstBoot);
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
    void egressIsDeniedExceptToGoogleApisTheDebianMirrorTheSharedCacheAndTheModuleProxy() {
        Map<String, Object> deny = assertDeniesEverythingBelow("EGRESS", "destination_ranges");
        List<Map<String, Object>> allows = firewallRules("EGRESS", "allow");
        assertThat(allows).hasSize(4);
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
        // Only with a module proxy, only to its addresses, only HTTPS.
        Map<String, Object> modules = tf.resource("google_compute_firewall", "egress_module_proxy");
        assertCountedBy("google_compute_firewall", "egress_module_proxy", "var.module_proxy_url != \"\" ? 1 : 0");
        assertThat(tf.list(tf.block(modules, "allow").get("ports")).stream().map(tf::number)).containsOnly(443L);
        // hcl4j puts the variables' defaults in, so read the source for the references.
        assertThat(blockSource("resource \"google_compute_firewall\" \"egress_module_proxy\""))
                .containsPattern("destination_ranges\\s*=\\s*var\\.module_proxy_cidrs\\n")
                .contains("condition     = length(var.module_proxy_cidrs) > 0");
    }

    @Test
    void moduleProxyIsOffByDefaultAndReachesTheVmsThroughMetadataAsAnHttpsUrl() throws IOException {
        assertThat(tf.variables().get("module_proxy_url").get("default")).isEqualTo("");
        assertThat(tf.variables().get("module_sumdb").get("default")).isEqualTo("sum.golang.org");
        Pattern url = Pattern.compile(validationRegexes("module_proxy_url").get(0));
        assertThat(url.matcher("https://proxy.golang.org").find()).isTrue();
        assertThat(url.matcher("https://us-go.pkg.dev/project/repo").find()).isTrue();
        assertThat(url.matcher("http://proxy.golang.org").find()).as("plain http").isFalse();
        assertThat(url.matcher("https://user:pw@proxy.golang.org").find()).as("credentials").isFalse();
        assertThat(url.matcher("https://proxy.golang.org/?x=1").find()).as("query").isFalse();
        String condition = validationCondition("module_proxy_cidrs");
        assertThat(acceptedByPrefixRule(condition, "142.250.0.0/15")).isTrue();
        assertThat(acceptedByPrefixRule(condition, "0.0.0.0/0")).isFalse();
        assertThat(blockSource("resource \"google_compute_instance_template\" \"compilerd\""))
                .containsPattern("\"compilerd-module-proxy\"\\s*=\\s*var\\.module_proxy_url\\n")
                .containsPattern("\"compilerd-module-sumdb\"\\s*=\\s*var\\.module_sumdb\\n");
        String boot = Files.readString(ROOT.resolve("vm/cloud-init.yaml"));
        assertThat(boot).contains("md_optional attributes/compilerd-module-proxy", "COMPILERD_MODULE_PROXY=$modproxy",
                "md_optional attributes/compilerd-module-sumdb", "COMPILERD_MODULE_SUMDB=$sumdb",
                // the same URL rule as the variable's, so what terraform accepts the boot accepts
                "\"$modproxy\" =~ " + validationRegexes("module_proxy_url").get(0) + " ]]");
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
        Map<String, Object> metadata = tf.block(instanceTemplate(), "metadata");
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
        assertThat(tf.resolve(redis.get("authorized_network"))).isEqualTo("data.google_compute_network.vms.id");
        // hcl4j evaluates the local (and its condition) on its own, so read the source.
        assertThat(blockSource("resource \"google_compute_instance_template\" \"compilerd\""))
                .containsPattern("\"compilerd-shared-cache\"\\s*=\\s*local\\.shared_cache_url\\n");
        assertThat(tf.source()).contains("\"${var.shared_cache_tls ? \"rediss\" : \"redis\"}://${google_redis_instance.shared_cache[0].host}:"
                + "${google_redis_instance.shared_cache[0].port}\" : \"\"");
        String boot = Files.readString(ROOT.resolve("vm/cloud-init.yaml"));
        assertThat(boot).contains("md_optional attributes/compilerd-shared-cache", "COMPILERD_SHARED_CACHE=$cache");
    }

    @Test
    void sandboxImagesLiveInAnArtifactRegistryRepositoryThatTheVmsMayOnlyRead() throws IOException {
        Map<String, Object> repo = tf.resource("google_artifact_registry_repository", "images");
        assertThat(repo.get("format")).isEqualTo("DOCKER");
        assertThat(tf.resolve(repo.get("location"))).isEqualTo("us-central1"); // var.region: beside the VMs
        Map<String, Map<String, Object>> grants = tf.resources("google_artifact_registry_repository_iam_member");
        assertThat(grants).hasSize(1);
        Map<String, Object> grant = grants.values().iterator().next();
        assertThat(grant.get("role")).isEqualTo("roles/artifactregistry.reader");
        assertThat(String.valueOf(grant.get("member"))).contains("google_service_account.compilerd.email");
        assertThat(tf.resolve(grant.get("repository"))).isEqualTo("google_artifact_registry_repository.images.name");
        // No project-wide role reaches Artifact Registry, and the token keeps the read-only storage scope it needs.
        assertThat(tf.resources("google_project_iam_member").values())
                .allSatisfy(m -> assertThat(String.valueOf(m.get("role"))).doesNotContain("artifactregistry"));
        assertThat(tf.list(tf.block(instanceTemplate(), "service_account").get("scopes")))
                .contains("storage-ro").doesNotContain("cloud-platform", "storage-rw", "storage-full");
        assertThat(tf.source()).contains("output \"image_registry\"",
                "\"${var.region}-docker.pkg.dev/${var.project}/${google_artifact_registry_repository.images.repository_id}\"");
    }

    @Test
    void privateDnsSendsGoogleApisAndPkgDevToTheOnlyGoogleRangeTheFirewallOpens() {
        Map<String, Object> zone = tf.resource("google_dns_managed_zone", "private_google");
        assertThat(zone.get("visibility")).isEqualTo("private");
        String zones = tf.source().replaceAll("\\s+", " ");
        assertThat(zones).contains("googleapis = \"googleapis.com.\"", "pkg-dev = \"pkg.dev.\"");
        assertThat(tf.source()).contains("google_apis_addresses = [for i in range(4) : cidrhost(var.google_apis_cidrs[0], i)]");
        Map<String, Object> apex = tf.resource("google_dns_record_set", "private_google_apex");
        assertThat(apex.get("type")).isEqualTo("A");
        // hcl4j evaluates the local's for expression on its own, so read the source.
        assertThat(blockSource("resource \"google_dns_record_set\" \"private_google_apex\""))
                .containsPattern("(?m)^\\s*rrdatas\\s*=\\s*local\\.google_apis_addresses$");
        Map<String, Object> wildcard = tf.resource("google_dns_record_set", "private_google_wildcard");
        assertThat(wildcard.get("type")).isEqualTo("CNAME");
        // The names the zones answer are reachable: the egress rule opens 443 to the same range.
        Map<String, Object> apis = tf.resource("google_compute_firewall", "egress_google_apis");
        assertThat(apis.get("destination_ranges")).isInstanceOfSatisfying(Variable.class,
                v -> assertThat(v.getName()).isEqualTo("var.google_apis_cidrs"));
        assertThat(String.valueOf(tf.list("var.google_apis_cidrs").get(0))).isEqualTo("199.36.153.8/30");
    }

    @Test
    void vmsPullTheReleasesImagesByDigestAndLogTheirBootTime() throws IOException {
        String boot = Files.readString(ROOT.resolve("vm/cloud-init.yaml"));
        assertThat(boot).contains("[[ -f \"$SRC/images.lock\" ]] || die",
                "\"$SRC/vm/startup.sh\" --vm --images \"$SRC/images.lock\"",
                "\"$SRC/vm/await-healthy.sh\" --since \"$boot_start\"")
                .doesNotContain("\"$SRC/vm/startup.sh\" --vm\n");
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
        Map<String, Object> metadata = tf.block(instanceTemplate(), "metadata");
        assertThat(metadata).containsKey("user-data").doesNotContainKeys("ssh-keys", "sshKeys");
        assertThat(metadata.get("block-project-ssh-keys")).isEqualTo("true");
        // hcl4j does not evaluate file(), so check the source text names the file, and that it exists.
        assertThat(tf.source()).contains("file(\"${path.module}/../vm/cloud-init.yaml\")");
        assertThat(Files.readString(ROOT.resolve("vm/cloud-init.yaml"))).startsWith("#cloud-config");
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

    /** The regex("...") patterns in a condition's text, at least one; RE2 and Java agree on these. */
    private static List<String> regexes(String condition, String description, Object... args) {
        Matcher m = REGEX_CALL.matcher(condition);
        List<String> patterns = new ArrayList<>();
        while (m.find()) {
            patterns.add(m.group(1));
        }
        assertThat(patterns).as(description, args).isNotEmpty();
        return patterns;
    }

    /** The regex("...") patterns in a variable's validation condition. */
    private static List<String> validationRegexes(String variable) {
        return regexes(validationCondition(variable), "regex() in the validation of var.%s", variable);
    }

    /** Whether a CIDR passes all the condition's regex() tests (cidrhost() is terraform's; not evaluated here). */
    private static boolean acceptedByPrefixRule(String condition, String cidr) {
        boolean ok = true;
        for (String regex : regexes(condition, "regex() in %s", condition)) {
            ok &= Pattern.compile(regex).matcher(cidr).find();
        }
        return ok;
    }
}
