package dev.compilerd.sandbox;

import java.util.Arrays;

/**
 * Keeps the last {@code capacity} bytes written, so whatever the runner prints costs bounded memory; more than
 * that is never a result the server trusts ({@link #overflowed()}). Thread-safe.
 */
final class TailBuffer {
    private final byte[] ring;
    private long written;

    TailBuffer(int capacity) {
        this.ring = new byte[capacity];
    }

    synchronized void write(byte[] b, int off, int len) {
        if (len >= ring.length) {
            off += len - ring.length;
            written += len - ring.length;
            len = ring.length;
        }
        int pos = (int) (written % ring.length);
        int first = Math.min(len, ring.length - pos);
        System.arraycopy(b, off, ring, pos, first);
        System.arraycopy(b, off + first, ring, 0, len - first);
        written += len;
    }

    /** The kept bytes, oldest first. */
    synchronized byte[] bytes() {
        if (written <= ring.length) {
            return Arrays.copyOf(ring, (int) written);
        }
        int pos = (int) (written % ring.length);
        byte[] out = new byte[ring.length];
        System.arraycopy(ring, pos, out, 0, ring.length - pos);
        System.arraycopy(ring, 0, out, ring.length - pos, pos);
        return out;
    }

    synchronized boolean overflowed() {
        return written > ring.length;
    }
}
