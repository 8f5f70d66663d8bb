package dev.compilerd.compile;

import com.google.common.base.Ticker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Runs an identical program that is in flight on several servers of the fleet once: the first server to claim it in
 * the shared tier runs it, the others wait for its answer there, without a worker, and run on their own only if
 * that run leaves nothing to share (not cacheable, failed, or longer than any run may take). Without it, a program
 * asked of three servers at once runs three times, which is what a cold fleet does with its most popular programs.
 * Thread-safe.
 */
final class FleetRuns {
    /** How often a waiting server looks for the other server's answer: the most it adds to a request's latency. */
    static final Duration POLL = Duration.ofMillis(100);

    private final SharedTier shared;
    private final Duration longestRun;
    private final Ticker ticker;
    private final Counter answered;
    private final Counter ranAnyway;

    /**
     * @param longestRun how long a run may take from admission to its answer: how long a claim lasts, and how long
     *                   another server waits for it
     */
    FleetRuns(SharedTier shared, Duration longestRun, Ticker ticker, MeterRegistry meters) {
        this.shared = shared;
        this.longestRun = longestRun;
        this.ticker = ticker;
        this.answered = Counter.builder("compilerd_fleet_awaited").tag("result", "answered")
                .description("requests that waited for another server's run of the same program").register(meters);
        this.ranAnyway = Counter.builder("compilerd_fleet_awaited").tag("result", "ran")
                .description("requests that waited for another server's run of the same program").register(meters);
    }

    /**
     * Runs {@code run} under a claim on {@code key}, or, if another server holds one, waits for that server's answer
     * and returns it as {@code awaited}; if none comes, runs after all.
     */
    CompileService.Reply run(String key, Callable<CompileService.Reply> run,
                             Function<byte[], CompileService.Reply> awaited, BooleanSupplier clientGone)
            throws Exception {
        try (SharedTier.Claim claim = shared.claim(key, longestRun)) {
            if (claim.mine()) {
                return run.call();
            }
        }
        Optional<byte[]> answer = await(key, clientGone);
        if (answer.isPresent()) {
            answered.increment();
            return awaited.apply(answer.get());
        }
        ranAnyway.increment();
        return run.call();
    }

    /** The other server's answer, or empty once its mark is gone without one or the longest run has passed. */
    private Optional<byte[]> await(String key, BooleanSupplier clientGone) throws InterruptedException, AbandonedException {
        long deadline = ticker.read() + longestRun.toNanos();
        while (ticker.read() < deadline) {
            Thread.sleep(POLL.toMillis());
            if (clientGone.getAsBoolean()) {
                throw new AbandonedException();
            }
            boolean running = shared.claimed(key); // before the lookup: the answer is stored before the mark goes
            Optional<byte[]> answer = shared.get(key);
            if (answer.isPresent() || !running) {
                return answer;
            }
        }
        return Optional.empty();
    }
}
