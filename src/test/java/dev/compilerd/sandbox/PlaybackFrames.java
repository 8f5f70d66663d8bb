package dev.compilerd.sandbox;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Builds faketime playback output by hand, byte for byte, for tests of the decoders. */
public final class PlaybackFrames {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public static PlaybackFrames stream() {
        return new PlaybackFrames();
    }

    /** A whole frame written {@code offsetNanos} after the fake epoch. */
    public PlaybackFrames write(long offsetNanos, String text) {
        return write(offsetNanos, text.getBytes(StandardCharsets.UTF_8));
    }

    public PlaybackFrames write(long offsetNanos, byte[] payload) {
        return header(offsetNanos, payload.length).raw(payload);
    }

    /** Only the 16-byte header: 00 00 'P' 'B', uint64 BE unix nanos, uint32 BE length. */
    public PlaybackFrames header(long offsetNanos, long length) {
        ByteBuffer h = ByteBuffer.allocate(16);
        h.put((byte) 0).put((byte) 0).put((byte) 'P').put((byte) 'B');
        h.putLong(Playback.EPOCH_NANOS + offsetNanos);
        h.putInt((int) length);
        out.writeBytes(h.array());
        return this;
    }

    /** Bytes outside any frame. */
    public PlaybackFrames raw(String text) {
        return raw(text.getBytes(StandardCharsets.UTF_8));
    }

    public PlaybackFrames raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    public byte[] bytes() {
        return out.toByteArray();
    }
}
