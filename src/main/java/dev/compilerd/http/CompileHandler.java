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
            fail(response, callback, start, new BodyTooLargeException());
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
        if (!complete) {
            byte[] prefix = first;
            dispatch(request, response, callback, start, () -> {
                CompileService.Lookup lookup = lookUp(request, response, callback, readBody(request, prefix), start);
                if (lookup != null) {
                    run(request, response, callback, lookup, start);
                }
            });
            return;
        }
        try {
            CompileService.Lookup lookup = lookUp(request, response, callback, first, start);
            if (lookup != null) {
                dispatch(request, response, callback, start, () -> run(request, response, callback, lookup, start));
            }
        } catch (BodyTooLargeException | BadRequestException e) {
            fail(response, callback, start, e);
        }
    }

    /** Work for the executor: it may block, and whatever it throws becomes the answer. */
    @FunctionalInterface
    private interface Work {
        void run() throws Exception;
    }

    private void dispatch(Request request, Response response, Callback callback, long start, Work work) {
        request.getComponents().getExecutor().execute(() -> {
            try {
                work.run();
            } catch (Exception e) {
                fail(response, callback, start, e);
            }
        });
    }

    /**
     * Parses the body and answers what needs no run (invalid files, which the playground reports as Errors with
     * status 200, and cache hits); returns the lookup to run, or null when already answered.
     */
    private CompileService.Lookup lookUp(Request request, Response response, Callback callback, byte[] body,
                                         long start) throws BodyTooLargeException, BadRequestException {
        if (body.length > maxRequestBytes) {
            throw new BodyTooLargeException();
        }
        boolean queryVet = request.getHttpURI().getQuery() != null
                && "true".equals(Request.extractQueryParameters(request).getValue("withVet"));
        CompileRequest parsed = parser.parse(request.getHeaders().get(HttpHeader.CONTENT_TYPE), body, queryVet);
        Program program;
        try {
            program = new Program(Txtar.split(parsed.body()), parsed.withVet());
        } catch (InvalidProgramException e) {
            error(response, callback, 200, e.getMessage());
            log(start, 200, false, "invalid", "");
            return null;
        }
        CompileService.Lookup lookup = service.lookup(program);
        if (lookup.cached() == null) {
            return lookup;
        }
        Responses.send(response, callback, 200, Responses.JSON, lookup.cached());
        log(start, 200, true, "cached", "");
        return null;
    }

    private void run(Request request, Response response, Callback callback, CompileService.Lookup lookup, long start)
            throws SandboxException, InterruptedException, Admission.BusyException, Admission.AbandonedException {
        CompileService.Reply reply = service.run(lookup, clientGone(request));
        Responses.send(response, callback, 200, Responses.JSON, reply.body());
        log(start, 200, false, reply.outcome(), reply.container());
    }

    /** Answers a request that ended in an exception with the status that exception means, and logs it. */
    private void fail(Response response, Callback callback, long start, Exception e) {
        int logged;
        String outcome;
        if (e instanceof BodyTooLargeException) {
            logged = 400;
            outcome = "too-large";
            error(response, callback, 400, CompileResponse.PROGRAM_TOO_LARGE);
        } else if (e instanceof BadRequestException) {
            logged = 400;
            outcome = "bad-request";
            error(response, callback, 400, e.getMessage());
        } else if (e instanceof IOException) {
            logged = 400;
            outcome = "read-error";
            error(response, callback, 400, "could not read the request body: " + e.getMessage());
        } else if (e instanceof Admission.BusyException) {
            logged = 503;
            outcome = "busy";
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Integer.toString(RETRY_AFTER_SECONDS));
            error(response, callback, 503, "Server busy; try again shortly.");
        } else if (e instanceof Admission.AbandonedException) {
            logged = 499;
            outcome = "abandoned";
            error(response, callback, 503, "Client went away while queued.");
        } else if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            logged = 503;
            outcome = "interrupted";
            error(response, callback, 503, "Server shutting down; try again.");
        } else if (e instanceof SandboxException) {
            logged = 500;
            outcome = "sandbox-error";
            LOG.error("sandbox failure: {}", e.getMessage());
            // Details stay in the log: Docker's messages are not for the public.
            Responses.text(response, callback, 500, "sandbox failure; try again later\n");
        } else {
            logged = 500;
            outcome = "internal-error";
            LOG.error("internal error", e);
            Responses.text(response, callback, 500, "internal error\n");
        }
        log(start, logged, false, outcome, "");
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
        if (prefix.length > maxRequestBytes) {
            throw new BodyTooLargeException();
        }
        long length = request.getLength(); // post() has refused a declared length over the limit
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
