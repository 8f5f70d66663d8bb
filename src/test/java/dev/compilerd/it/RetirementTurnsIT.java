package dev.compilerd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.LocalTime;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Two real servers sharing a real Valkey store, whose lifetimes end seconds apart: the fleet gives one turn to
 * retire at a time, so the second stays in the load balancer (healthy, answering) until the first's turn is over,
 * instead of both leaving at once.
 */
class RetirementTurnsIT {
    private static final Pattern LAMEDUCK = Pattern.compile("(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) .*lifecycle SERVING -> LAMEDUCK");

    @Test
    void serversWhoseLifetimesEndTogetherRetireOneAfterTheOther() throws Exception {
        ValkeyContainer valkey = new ValkeyContainer();
        valkey.start();
        String[] flags = {"--pool", "0", "--shared-cache", valkey.url(), "--lifetime-min", "4s", "--lifetime-max", "4s",
            "--retire-turn", "25s", "--retire-turn-wait", "60s", "--lameduck", "2s", "--halt=false"};
        try (ServerProcess a = ServerProcess.start("compilerd-it-turn-a", flags);
             ServerProcess b = ServerProcess.start("compilerd-it-turn-b", flags)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> a.log().contains("lifecycle SERVING -> LAMEDUCK")
                    || b.log().contains("lifecycle SERVING -> LAMEDUCK"));
            ServerProcess first = a.log().contains("lifecycle SERVING -> LAMEDUCK") ? a : b;
            ServerProcess second = first == a ? b : a;
            await().atMost(Duration.ofSeconds(30)).until(() -> second.log().contains("waiting for a turn"));
            assertThat(second.get("/healthz").statusCode()).as("the second still serves while it waits").isEqualTo(200);
            assertThat(CompileIT.stdout(second.compileOk(
                    "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"still here\") }\n")))
                    .isEqualTo("still here\n");

            assertThat(first.awaitExit(Duration.ofSeconds(60))).isZero();
            assertThat(second.awaitExit(Duration.ofSeconds(90))).isZero();

            assertThat(first.log()).doesNotContain("waiting for a turn");
            assertThat(second.log()).contains("retiring after waiting");
            assertThat(lameduckAt(second)).as("the second's lameduck, after the first's turn")
                    .isAfter(lameduckAt(first).plusSeconds(20));
        } finally {
            valkey.stop();
        }
    }

    private static LocalTime lameduckAt(ServerProcess s) {
        Matcher m = LAMEDUCK.matcher(s.log());
        assertThat(m.find()).as("a lameduck line").isTrue();
        return LocalTime.parse(m.group(1));
    }
}
