package dev.compilerd.compile;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Runs identical programs that are in flight at the same time once: the first request of a key runs, the others
 * wait for its answer and get it only if it may be cached (anything else, they run on their own). Followers are
 * bounded in number and in how long they wait, and leave when their client does. Thread-safe.
 */
final class Coalescer {
    private final ConcurrentHashMap<String, CompletableFuture<CompileService.Reply>> inFlight = new ConcurrentHashMap<>();
    private final AtomicInteger followers = new AtomicInteger();
    private final int maxFollowers;
    private final Duration maxWait;

    /**
     * @param maxFollowers requests that may wait on others at once (beyond them, a 503)
     * @param maxWait      the longest a follower waits: the leader's own longest queue wait plus run
     */
    Coalescer(int maxFollowers, Duration maxWait) {
        this.maxFollowers = maxFollowers;
        this.maxWait = maxWait;
    }

    CompileService.Reply run(String key, Callable<CompileService.Reply> run, BooleanSupplier clientGone) throws Exception {
        CompletableFuture<CompileService.Reply> mine = new CompletableFuture<>();
        CompletableFuture<CompileService.Reply> leader = inFlight.putIfAbsent(key, mine);
        if (leader == null) {
            try {
                CompileService.Reply reply = run.call();
                mine.complete(reply);
                return reply;
            } catch (Exception | Error e) {
                mine.completeExceptionally(e);
                throw e;
            } finally {
                inFlight.remove(key, mine);
            }
        }
        CompileService.Reply theirs = follow(leader, clientGone);
        if (theirs != null && theirs.shareable()) {
            return new CompileService.Reply(theirs.body(), Outcome.COALESCED, CompileService.COALESCED, theirs.container());
        }
        return run.call(); // the leader's answer is not ours to take (a timeout, a kill, a failure)
    }

    /** The leader's reply, or null if it failed; bounded by maxWait and the client's presence. */
    private CompileService.Reply follow(CompletableFuture<CompileService.Reply> leader, BooleanSupplier clientGone)
            throws Exception {
        if (followers.incrementAndGet() > maxFollowers) {
            followers.decrementAndGet();
            throw new BusyException(maxFollowers + " requests already wait for identical programs",
                    BusyException.MIN_RETRY_AFTER, Outcome.BUSY);
        }
        try {
            long deadline = System.nanoTime() + maxWait.toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new BusyException("an identical program ran longer than " + maxWait.toSeconds()
                            + " s", BusyException.MIN_RETRY_AFTER, Outcome.BUSY);
                }
                try {
                    return leader.get(Math.min(left, Admission.POLL.toNanos()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    if (clientGone.getAsBoolean()) {
                        throw new AbandonedException();
                    }
                } catch (ExecutionException e) {
                    return null;
                }
            }
        } finally {
            followers.decrementAndGet();
        }
    }

    /** Requests waiting on an identical program now. */
    int following() {
        return followers.get();
    }
}
