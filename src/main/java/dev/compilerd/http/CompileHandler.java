package dev.compilerd.http;

import dev.compilerd.compile.Admission;
import dev.compilerd.compile.CompileResponse;
import dev.compilerd.compile.CompileService;
import dev.compilerd.compile.InvalidProgramException;
import dev.compilerd.compile.Txtar;
import dev.compilerd.sandbox.Program;
import dev.compilerd.sandbox.SandboxException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** POST /compile: translates HTTP to a {@link Program} and the service's reply back to HTTP; nothing more. */
public final class CompileHandler {
    /** Seconds a client is told to wait after a 503 for a full queue. */
    static final int RETRY_AFTER_SECONDS = 2;
    private static final Logger LOG = LoggerFactory.getLogger(CompileHandler.class);

    private final CompileService service;
    private final RequestParser parser;
    private final int maxRequestBytes;
    private final Duration bodyTimeout;
    private final String allowOrigin;
    private final RequestLog requestLog = new RequestLog();

    public CompileHandler(CompileService service, RequestParser parser, int maxRequestBytes, Duration bodyTimeout,
                          String allowOrigin) {
        this.service = service;
        this.parser = parser;
        this.maxRequestBytes = maxRequestBytes;
        this.bodyTimeout = bodyTimeout;
        this.allowOrigin = allowOrigin;
    }

    void handle(Request request, Response response, Callback callback) {
        long start = System.nanoTime();
        response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, allowOrigin);
        if (!"*".equals(allowOrigin)) {
            response.getHeaders().add(HttpHeader.VARY, "Origin");
        }
        String method = request.getMethod();
        if (HttpMethod.OPTIONS.is(method)) {
            response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_METHODS, "POST, OPTIONS");
            response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS, "Content-Type");
            response.getHeaders().put(HttpHeader.ACCESS_CONTROL_MAX_AGE, "86400");
            response.setStatus(204);
            callback.succeeded();
            return;
        }
        if (!HttpMethod.POST.is(method)) {
            response.getHeaders().put(HttpHeader.ALLOW, "POST, OPTIONS");
            error(response, callback, 405, "method " + method + " not allowed; use POST");
            return;
        }
        post(request, response, callback, start);
    }

    /**
     * Answers from the cache (and client errors) on the calling thread when the whole body has already arrived,
     * without blocking; anything that may block (reading more, queueing, running) goes to Jetty's executor.
     */
    private void post(Request request, Response response, Callback callback, long start) {
        if (request.getLength() > maxRequestBytes) {
            error(response, callback, 400, CompileResponse.PROGRAM_TOO_LARGE);
            log(start, 400, false, "too-large", "");
            return;
        }
        byte[] first = new byte[0];
        boolean complete = false;
        Content.Chunk chunk = request.read();
        if (chunk != null && !Content.Chunk.isFailure(chunk)) {
            ByteBuffer data = chunk.getByteBuffer();
            first = new byte[Math.min(data.remaining(), maxRequestBytes + 1)];
            data.get(first);
            complete = chunk.isLast();
            chunk.release();
        }
        if (complete && answerWithoutBlocking(request, response, callback, first, start)) {
            return;
        }
        byte[] prefix = first;
        boolean whole = complete;
        request.getComponents().getExecutor().execute(() -> postBlocking(request, response, callback, prefix, whole,
                start));
    }

    /** True if answered: a cache hit, or a request that is bad on its face. */
    private boolean answerWithoutBlocking(Request request, Response response, Callback callback, byte[] body,
                                          long start) {
        try {
            Program program = program(request, response, callback, body);
            if (program == null) {
                log(start, 200, false, "invalid", "");
                return true;
            }
            byte[] cached = service.cached(program);
            if (cached == null) {
                return false;
            }
            Responses.send(response, callback, 200, Responses.JSON, cached);
            log(start, 200, true, "cached", "");
        } catch (BodyTooLargeException e) {
            error(response, callback, 400, CompileResponse.PROGRAM_TOO_LARGE);
            log(start, 400, false, "too-large", "");
        } catch (BadRequestException e) {
            error(response, callback, 400, e.getMessage());
            log(start, 400, false, "bad-request", "");
        }
        return true;
    }

    private void postBlocking(Request request, Response response, Callback callback, byte[] prefix, boolean complete,
                              long start) {
        String outcome;
        String container = "";
        boolean hit = false;
        int status = 200;
        try {
            byte[] body = complete ? prefix : readBody(request, prefix);
            Program program = program(request, response, callback, body);
            if (program == null) {
                log(start, 200, false, "invalid", "");
                return;
            }
            // A complete body was already looked up in the cache before this was dispatched.
            CompileService.Reply reply = service.compile(program, clientGone(request), !complete);
            outcome = reply.outcome();
            container = reply.container();
            hit = reply.cacheHit();
            Responses.send(response, callback, 200, Responses.JSON, reply.body());
        } catch (BodyTooLargeException e) {
            outcome = "too-large";
            status = 400;
            error(response, callback, 400, CompileResponse.PROGRAM_TOO_LARGE);
        } catch (BadRequestException e) {
            outcome = "bad-request";
            status = 400;
            error(response, callback, 400, e.getMessage());
        } catch (Admission.BusyException e) {
            outcome = "busy";
            status = 503;
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Integer.toString(RETRY_AFTER_SECONDS));
            error(response, callback, 503, "Server busy; try again shortly.");
        } catch (Admission.AbandonedException e) {
            outcome = "abandoned";
            status = 499;
            error(response, callback, 503, "Client went away while queued.");
        } catch (SandboxException e) {
            outcome = "sandbox-error";
            status = 500;
            LOG.error("sandbox failure: {}", e.getMessage());
            // Details stay in the log: Docker's messages are not for the public.
            Responses.text(response, callback, 500, "sandbox failure; try again later\n");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = "interrupted";
            status = 503;
            error(response, callback, 503, "Server shutting down; try again.");
        } catch (IOException e) {
            outcome = "read-error";
            status = 400;
            error(response, callback, 400, "could not read the request body: " + e.getMessage());
        } catch (RuntimeException e) {
            outcome = "internal-error";
            status = 500;
            LOG.error("internal error", e);
            Responses.text(response, callback, 500, "internal error\n");
        }
        log(start, status, hit, outcome, container);
    }

    /**
     * The program the request carries, or null when its files are invalid (then already answered: the playground
     * reports those as Errors with status 200). Throws for requests that are bad on their face.
     */
    private Program program(Request request, Response response, Callback callback, byte[] body)
            throws BodyTooLargeException, BadRequestException {
        if (body.length > maxRequestBytes) {
            throw new BodyTooLargeException();
        }
        boolean queryVet = request.getHttpURI().getQuery() != null
                && "true".equals(Request.extractQueryParameters(request).getValue("withVet"));
        CompileRequest parsed = parser.parse(request.getHeaders().get(HttpHeader.CONTENT_TYPE), body, queryVet);
        try {
            return new Program(Txtar.split(parsed.body()), parsed.withVet());
        } catch (InvalidProgramException e) {
            Responses.send(response, callback, 200, Responses.JSON, service.serialize(CompileResponse.error(e.getMessage())));
            return null;
        }
    }

    private void log(long start, int status, boolean hit, String outcome, String container) {
        requestLog.log(status, hit, outcome, (System.nanoTime() - start) / 1_000_000, container);
    }

    private void error(Response response, Callback callback, int status, String message) {
        Responses.send(response, callback, status, Responses.JSON,
                service.serialize(CompileResponse.error(message)));
    }

    /** Reads the rest of the body after {@code prefix}, at most maxRequestBytes in all; one more is too large. */
    private byte[] readBody(Request request, byte[] prefix) throws IOException, BodyTooLargeException {
        long length = request.getLength();
        if (length > maxRequestBytes || prefix.length > maxRequestBytes) {
            throw new BodyTooLargeException();
        }
        int size = length >= 0 ? (int) length + 1 : Math.min(maxRequestBytes + 1, 16 * 1024);
        byte[] buf = Arrays.copyOf(prefix, Math.max(size, prefix.length + 1));
        int n = prefix.length;
        // A body that has not fully arrived by the deadline fails the blocked read: no trickling client pins a thread.
        Scheduler.Task deadline = request.getComponents().getScheduler().schedule(
                () -> request.fail(new TimeoutException("request body not received within " + bodyTimeout.toSeconds()
                        + " s")), bodyTimeout.toMillis(), TimeUnit.MILLISECONDS);
        try (InputStream in = Request.asInputStream(request)) {
            int r;
            while ((r = in.read(buf, n, buf.length - n)) != -1) {
                n += r;
                if (n > maxRequestBytes) {
                    throw new BodyTooLargeException();
                }
                if (n == buf.length) {
                    buf = Arrays.copyOf(buf, Math.min(maxRequestBytes + 1, buf.length * 2));
                }
            }
        } finally {
            deadline.cancel();
        }
        return n == buf.length ? buf : Arrays.copyOf(buf, n);
    }

    /** True once Jetty reports the request failed, the connection is closed, or the kernel shows the peer gone. */
    private static java.util.function.BooleanSupplier clientGone(Request request) {
        AtomicBoolean failed = new AtomicBoolean();
        request.addFailureListener(t -> failed.set(true));
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        return () -> failed.get() || !endPoint.isOpen()
                || PeerProbe.peerClosed(endPoint.getLocalSocketAddress(), endPoint.getRemoteSocketAddress());
    }

    private static final class BodyTooLargeException extends Exception {
        private static final long serialVersionUID = 1L;

        BodyTooLargeException() {
            super(null, null, false, false);
        }
    }
}
