package dev.compilerd.compile;

import dev.compilerd.sandbox.Playback;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Turns decoded playback writes into the playground's Events: merged by time, same-time writes joined, capped. */
public final class Events {
    private Events() {}

    /** The events and whether the payload went over the output cap. */
    public record Decoded(List<Event> events, boolean tooLarge, String stdoutText) {}

    /**
     * Interleaves stdout and stderr by fake time (stdout first on ties, as written), joins adjacent writes of one
     * kind at one time, and keeps at most {@code maxBytes} of payload. Invalid UTF-8 becomes U+FFFD.
     */
    public static Decoded from(byte[] stdout, byte[] stderr, int maxBytes) {
        List<Playback.Write> writes = new ArrayList<>(Playback.decode(stdout, "stdout"));
        writes.addAll(Playback.decode(stderr, "stderr"));
        writes.sort(Comparator.comparingLong(Playback.Write::timeNanos)); // stable: stdout before stderr on ties
        return merge(writes, maxBytes);
    }

    /**
     * The output of a program on the real clock, which writes no playback frames: its stdout, then its stderr (their
     * order in between is not known), each as one event with no delay, and at most {@code maxBytes} of them.
     */
    public static Decoded raw(byte[] stdout, byte[] stderr, int maxBytes) {
        return merge(List.of(new Playback.Write("stdout", Playback.EPOCH_NANOS, stdout),
                new Playback.Write("stderr", Playback.EPOCH_NANOS, stderr)), maxBytes);
    }

    private static Decoded merge(List<Playback.Write> writes, int maxBytes) {
        List<Event> events = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        String kind = null;
        long time = Playback.EPOCH_NANOS;
        long last = Playback.EPOCH_NANOS;
        int left = maxBytes;
        boolean tooLarge = false;
        for (Playback.Write w : writes) {
            if (kind != null && (!w.kind().equals(kind) || w.timeNanos() != time)) {
                last = emit(events, out, pending, kind, time, last);
            }
            kind = w.kind();
            time = w.timeNanos();
            int n = Math.min(left, w.data().length);
            pending.write(w.data(), 0, n);
            left -= n;
            if (n < w.data().length) {
                tooLarge = true;
                break;
            }
        }
        if (kind != null) {
            emit(events, out, pending, kind, time, last);
        }
        return new Decoded(events, tooLarge, out.toString());
    }

    private static long emit(List<Event> events, StringBuilder stdoutText, ByteArrayOutputStream pending,
                             String kind, long time, long last) {
        if (pending.size() == 0) {
            return last;
        }
        String message = pending.toString(StandardCharsets.UTF_8);
        pending.reset();
        events.add(new Event(message, kind, Math.max(0, time - last)));
        if (kind.equals("stdout")) {
            stdoutText.append(message);
        }
        return time;
    }
}
