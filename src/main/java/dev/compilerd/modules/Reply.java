package dev.compilerd.modules;

import com.google.common.io.ByteSource;
import java.nio.charset.StandardCharsets;

/**
 * One answer to the go command, as the sandbox's loopback proxy should send it: the status, its content type and its
 * body. Upstream and validation trouble are replies too (a 4xx or 502 whose short text body the go command prints as
 * "server response: ..."), never exceptions.
 *
 * @param upstreamFailure the upstream could not be asked (unreachable, 5xx, timeout): a program that saw this reply got
 *                        an answer that says nothing about the program, so its result must not be cached
 */
public record Reply(int status, String contentType, ByteSource body, boolean upstreamFailure) {
    /** A request over one of the program's limits (bytes, files, the largest file): the go command prints the body. */
    public static final int LIMIT_STATUS = 403;
    /** A path the go command would never send. */
    public static final int REFUSED_STATUS = 400;
    /** The upstream failed; the body names it. */
    public static final int UPSTREAM_FAILURE_STATUS = 502;

    static Reply ok(String contentType, byte[] body) {
        return new Reply(200, contentType, ByteSource.wrap(body), false);
    }

    static Reply text(int status, String message, boolean upstreamFailure) {
        byte[] body = (message.endsWith("\n") ? message : message + "\n").getBytes(StandardCharsets.UTF_8);
        return new Reply(status, ProxyRequest.TEXT, ByteSource.wrap(body), upstreamFailure);
    }

    /** Whether this reply refused a request over one of the program's limits. */
    public boolean overLimit() {
        return status == LIMIT_STATUS;
    }
}
