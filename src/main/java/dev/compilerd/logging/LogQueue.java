package dev.compilerd.logging;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Hands log lines from request threads to one writer thread without a lock, and under load without a wake-up per
 * line (the writer polls the queue every {@code idlePoll}), so logging costs a cache hit an allocation and a few
 * atomic updates; when {@code capacity} lines are waiting it drops and counts instead of blocking. A writer that
 * found nothing for {@link #EMPTY_POLLS_BEFORE_SLEEP} polls sleeps until the next line wakes it, so an idle server
 * pays no polling and a trickle one wake-up per line. Thread-safe.
 *
 * @param <T> what a line is made of until the writer formats it
 */
public final class LogQueue<T> {
    /** Empty polls in a row after which the writer sleeps until a line wakes it: a steady stream never lets it. */
    static final int EMPTY_POLLS_BEFORE_SLEEP = 5;

    private final Queue<T> lines = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final LongAdder dropped = new LongAdder();
    private final int capacity;
    private final long idlePollNanos;
    private final Consumer<T> write;
    private final Runnable flush;
    private final Thread writer;
    private volatile boolean closing;
    private volatile boolean asleep;

    /**
     * Starts the writer thread, named {@code name}, which passes each line to {@code write} in order and runs
     * {@code flush} whenever it has written all there was (so {@code write} may buffer).
     */
    public LogQueue(String name, int capacity, Duration idlePoll, Consumer<T> write, Runnable flush) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.capacity = capacity;
        this.idlePollNanos = idlePoll.toNanos();
        this.write = write;
        this.flush = flush;
        this.writer = new Thread(this::drain, name);
        writer.setDaemon(true);
        writer.start();
    }

    /** Queues a line, or drops and counts it when {@code capacity} lines are already waiting; never blocks. */
    public boolean offer(T line) {
        if (closing) { // after close nothing writes: called only once the server has stopped taking requests
            dropped.increment();
            return false;
        }
        if (waiting.incrementAndGet() > capacity) {
            waiting.decrementAndGet();
            dropped.increment();
            return false;
        }
        lines.add(line);
        if (asleep) { // only the first line after a quiet spell pays for a wake-up
            LockSupport.unpark(writer);
        }
        return true;
    }

    /** Lines dropped since start: the queue was full, a line could not be written, or it came after close. */
    public long dropped() {
        return dropped.sum();
    }

    /** Lines queued and not yet taken by the writer. */
    int waiting() {
        return waiting.get();
    }

    /** Whether the writer sleeps until the next line. */
    boolean asleep() {
        return asleep;
    }

    private void drain() {
        boolean unflushed = false;
        int emptyPolls = 0;
        while (true) {
            T line = lines.poll();
            if (line != null) {
                emptyPolls = 0;
                waiting.decrementAndGet();
                unflushed = true;
                try {
                    write.accept(line);
                } catch (RuntimeException e) {
                    dropped.increment(); // a line that cannot be written is lost: count it, keep the writer alive
                }
                continue;
            }
            if (unflushed) {
                unflushed = false;
                try {
                    flush.run();
                } catch (RuntimeException e) {
                    // the lines were handed over; a stream that cannot take them is the appender's to report
                }
            }
            if (closing) {
                return;
            }
            if (++emptyPolls < EMPTY_POLLS_BEFORE_SLEEP) {
                LockSupport.parkNanos(this, idlePollNanos);
                continue;
            }
            asleep = true; // then look again: a line offered before this store was seen is found by the peek
            if (lines.peek() == null && !closing) {
                LockSupport.park(this);
            }
            asleep = false;
            emptyPolls = 0;
        }
    }

    /**
     * Writes what is queued (waiting at most {@code timeout}) and stops the writer; later lines are dropped, and so
     * are lines the writer did not reach in time: both are counted.
     */
    public void close(Duration timeout) throws InterruptedException {
        closing = true;
        LockSupport.unpark(writer);
        writer.join(Math.max(1, timeout.toMillis()));
        dropped.add(waiting.get()); // queued but never written: a slow writer, or an offer racing the close
    }
}
