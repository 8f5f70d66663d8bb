package dev.compilerd.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.compilerd.config.Defaults;
import dev.compilerd.config.SandboxLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The timing arithmetic that ties terraform/, vm/compilerd.service, monitoring/ and the server's {@link Defaults}
 * together: when they drift apart, VMs get killed mid-drain or get traffic while halting (terraform/README.md).
 */
class FleetTimingTest extends FleetTestBase {
    @Test
    void googleDeletesEveryVmAfterItsLongestPossibleLife() {
        Map<String, Object> scheduling = tf.block(instanceTemplate(), "scheduling");
        assertThat(scheduling.get("instance_termination_action")).isEqualTo("DELETE");
        assertThat(scheduling.get("provisioning_model")).isEqualTo("STANDARD");
        Duration maxRun = Duration.ofSeconds(tf.number(tf.block(scheduling, "max_run_duration").get("seconds")));
        Duration firstBoot = Duration.ofSeconds(tf.number(autohealingPolicy().get("initial_delay_sec")));
        Duration life = firstBoot.plus(Defaults.LIFETIME_MAX).plus(Defaults.RETIRE_TURN_WAIT).plus(Defaults.LAMEDUCK)
                .plus(Defaults.DRAIN_TIMEOUT);
        assertThat(maxRun).as("max_run_duration vs first boot + longest lifetime + turn wait + lameduck + drain")
                .isGreaterThan(life);
        // ... and a boot that overruns the initial delay (replaced within the autohealing window) and the poweroff.
        assertThat(maxRun).as("max_run_duration vs that + autohealing window + TimeoutStopSec")
                .isGreaterThanOrEqualTo(life.plus(detectionWindow(autohealingCheck())).plus(stopTimeout));
    }

    @Test
    void lameduckOutlastsTheLoadBalancersUnhealthyDetectionWindow() {
        assertThat(Defaults.LAMEDUCK).as("lameduck vs LB interval x unhealthy threshold")
                .isGreaterThanOrEqualTo(detectionWindow(lbHealthCheck()));
    }

    @Test
    void autohealingNeverCutsALameduckAndDrainShort() {
        Map<String, Object> heal = autohealingCheck();
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
                .isEqualTo(tf.number(autohealingPolicy().get("initial_delay_sec")));
        assertThat(tf.number("local.drain_timeout_sec")).as("LB connection draining = drain")
                .isEqualTo(tf.number(backendService().get("connection_draining_timeout_sec")));
        assertThat(tf.number("local.systemd_stop_timeout_sec")).isEqualTo(stopTimeout.toSeconds());
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
}
