package dev.compilerd.lifecycle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A clock and a {@link Scheduler} that move only when the test calls {@link #advance}; not thread-safe. */
final class ManualTime extends Clock implements Scheduler {
    private record Task(Instant due, long seq, Runnable run) {}

    private final List<Task> tasks = new ArrayList<>();
    private Instant now = Instant.parse("2024-01-01T00:00:00Z");
    private long seq;

    @Override
    public void schedule(Duration delay, Runnable task) {
        tasks.add(new Task(now.plus(delay), seq++, task));
    }

    /** Moves time forward, running every task that falls due (in due order, including ones they schedule). */
    void advance(Duration d) {
        Instant end = now.plus(d);
        while (true) {
            Task next = tasks.stream()
                    .filter(t -> !t.due().isAfter(end))
                    .min(Comparator.comparing(Task::due).thenComparingLong(Task::seq))
                    .orElse(null);
            if (next == null) {
                break;
            }
            tasks.remove(next);
            now = next.due();
            next.run().run();
        }
        now = end;
    }

    int pending() {
        return tasks.size();
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
    }
}
