package dev.compilerd.sandbox;

import com.google.common.io.ByteSource;

/**
 * Where a sandbox's go command gets modules the image lacks: the server's module proxy, reached through the runner's
 * loopback relay over the container's stdin and stdout (the sandbox has no network). Main adapts the proxy to it.
 * Implementations are thread-safe.
 */
public interface ModuleRelay {
    /** The checksum database the go command verifies downloads against (GOSUMDB), or "off". */
    String sumdb();

    /** A new session for one program's fetches, with a budget of its own. */
    Session session();

    /** One program's fetches. Thread-safe: the go command fetches several at once. */
    interface Session {
        /**
         * Answers one GOPROXY request path (without the leading '/'). Validation, limits and the upstream's trouble
         * are answers too, never exceptions.
         */
        Answer get(String path) throws InterruptedException;
    }

    /**
     * One answer for the go command.
     *
     * @param upstreamFailure the upstream could not be asked: the program's answer says nothing about the program and
     *                        must not be cached
     */
    record Answer(int status, String contentType, ByteSource body, boolean upstreamFailure) {}
}
