package dev.compilerd.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.compilerd.config.Defaults;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;

/** Parses terraform/ and the systemd unit once for the fleet tests, and the lookups they share. */
abstract class FleetTestBase {
    static final Path ROOT = Path.of(System.getProperty("user.dir"));

    static Terraform tf;
    static Duration stopTimeout;

    @BeforeAll
    static void parse() throws Exception {
        tf = Terraform.parse(ROOT.resolve("terraform"));
        stopTimeout = timeoutStopSec(ROOT.resolve("vm/compilerd.service"));
    }

    static void assertRequestsHealthzOnServerPort(Map<String, Object> check) {
        Map<String, Object> http = tf.block(check, "http_health_check");
        assertThat(http.get("request_path")).isEqualTo("/healthz");
        assertThat(tf.number(http.get("port"))).isEqualTo(serverPort());
    }

    /** How long the checker needs to declare a VM unhealthy: interval x unhealthy threshold. */
    static Duration detectionWindow(Map<String, Object> check) {
        return Duration.ofSeconds(tf.number(check.get("check_interval_sec")) * tf.number(check.get("unhealthy_threshold")));
    }

    /** var.port's default, which must be the server's default port. */
    static long serverPort() {
        long port = tf.number("var.port");
        assertThat(port).as("var.port default").isEqualTo(Defaults.PORT);
        return port;
    }

    static Map<String, Object> mig() {
        return tf.resource("google_compute_region_instance_group_manager", "compilerd");
    }

    static Map<String, Object> backendService() {
        return tf.resource("google_compute_region_backend_service", "compilerd");
    }

    static Map<String, Object> instanceTemplate() {
        return tf.resource("google_compute_instance_template", "compilerd");
    }

    /** The load balancer's health check: the backend service's first. */
    static Map<String, Object> lbHealthCheck() {
        return tf.referenced(tf.list(backendService().get("health_checks")).get(0));
    }

    static Map<String, Object> autohealingPolicy() {
        return tf.block(mig(), "auto_healing_policies");
    }

    /** The health check the MIG's autohealing policy names. */
    static Map<String, Object> autohealingCheck() {
        return tf.referenced(autohealingPolicy().get("health_check"));
    }

    static Duration timeoutStopSec(Path unit) throws IOException {
        Matcher m = Pattern.compile("(?m)^TimeoutStopSec=(\\d+)(s|sec|min)?\\s*$").matcher(Files.readString(unit));
        assertThat(m.find()).as("TimeoutStopSec= in %s", unit).isTrue();
        long n = Long.parseLong(m.group(1));
        return "min".equals(m.group(2)) ? Duration.ofMinutes(n) : Duration.ofSeconds(n);
    }
}
