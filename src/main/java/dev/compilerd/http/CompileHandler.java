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
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
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
        String outcome;
        String container = "";
        boolean hit = false;
        int status = 200;
        try {
            byte[] body = readBody(request);
            boolean queryVet = request.getHttpURI().getQuery() != null
                    && "true".equals(Request.extractQueryParameters(request).getValue("withVet"));
            CompileRequest parsed = parser.parse(request.getHeaders().get(HttpHeader.CONTENT_TYPE), body, queryVet);
            Program program;
            try {
                program = new Program(Txtar.split(parsed.body()), parsed.withVet());
            } catch (InvalidProgramException e) {
                outcome = "invalid";
                Responses.send(response, callback, 200, Responses.JSON,
                        service.serialize(CompileResponse.error(e.getMessage())));
                return;
            }
            CompileService.Reply reply = service.compile(program, clientGone(request));
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
        }
        LOG.info("POST /compile status={} cache={} outcome={} ms={} container={}", status, hit ? "hit" : "miss",
                outcome, (System.nanoTime() - start) / 1_000_000, container.isEmpty() ? "-" : container);
    }

    private void error(Response response, Callback callback, int status, String message) {
        Responses.send(response, callback, status, Responses.JSON,
                service.serialize(CompileResponse.error(message)));
    }

    /** Reads at most maxRequestBytes; one byte more means the program is too large. */
    private byte[] readBody(Request request) throws IOException, BodyTooLargeException {
        long length = request.getLength();
        if (length > maxRequestBytes) {
            throw new BodyTooLargeException();
        }
        byte[] buf = new byte[length >= 0 ? (int) length + 1 : Math.min(maxRequestBytes + 1, 16 * 1024)];
        int n = 0;
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
