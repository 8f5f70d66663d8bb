package dev.compilerd.sandbox;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes Go faketime playback framing: every write to fd 1/2 is {@code 00 00 'P' 'B'} + uint64 BE
 * unix-nanos + uint32 BE length + payload. Bytes outside frames keep the time of the frame before them.
 */
public final class Playback {
    /** Fake time starts here: 2009-11-10 23:00:00 UTC, in unix nanoseconds. */
    public static final long EPOCH_NANOS = 1_257_894_000_000_000_000L;
    private static final int HEADER = 16;

    private Playback() {}

    /** One write of the program at its (fake) time. */
    public record Write(String kind, long timeNanos, byte[] data) {}

    /** Splits one stream into writes; a frame cut short by the output cap keeps what arrived. */
    public static List<Write> decode(byte[] b, String kind) {
        List<Write> writes = new ArrayList<>();
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        long time = EPOCH_NANOS;
        int i = 0;
        while (i < b.length) {
            if (isHeader(b, i)) {
                flush(writes, raw, kind, time);
                time = readLong(b, i + 4);
                long len = readInt(b, i + 12) & 0xffffffffL;
                int start = i + HEADER;
                int end = (int) Math.min(b.length, start + len);
                writes.add(new Write(kind, time, java.util.Arrays.copyOfRange(b, start, end)));
                i = end;
            } else {
                raw.write(b[i++]);
            }
        }
        flush(writes, raw, kind, time);
        return writes;
    }

    private static void flush(List<Write> writes, ByteArrayOutputStream raw, String kind, long time) {
        if (raw.size() > 0) {
            writes.add(new Write(kind, time, raw.toByteArray()));
            raw.reset();
        }
    }

    private static boolean isHeader(byte[] b, int i) {
        return i + HEADER <= b.length && b[i] == 0 && b[i + 1] == 0 && b[i + 2] == 'P' && b[i + 3] == 'B';
    }

    private static long readLong(byte[] b, int i) {
        long v = 0;
        for (int k = 0; k < 8; k++) {
            v = (v << 8) | (b[i + k] & 0xff);
        }
        return v;
    }

    private static int readInt(byte[] b, int i) {
        return ((b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
    }
}
