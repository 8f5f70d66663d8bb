package dev.compilerd.http;

import dev.compilerd.compile.CompileService;
import dev.compilerd.compile.InvalidProgramException;
import dev.compilerd.compile.Outcome;
import dev.compilerd.compile.Txtar;
import dev.compilerd.sandbox.Program;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POST /compile: translates HTTP to a {@link Program} and the service's reply back to HTTP. The first, non-blocking
 * read of the body, and the answer to an exact repeat, happen on the calling I/O thread; everything else runs on
 * Jetty's executor.
 */
public final class CompileHandler {
    private static final Logger LOG = LoggerFactory.getLogger(CompileHandler.class);

    private final CompileService service;
    private final RequestParser parser;
    private final BodyReader bodies;
    private final Replies replies;
    private final RequestLog log;
    private final String allowOrigin;

    public CompileHandler(CompileService service, RequestParser parser, BodyReader bodies, Replies replies,
                          RequestLog log, String allowOrigin) {
        this.service = service;
        this.parser = parser;
        this.bodies = bodies;
        this.replies = replies;
        this.log = log;
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
        } else if (!HttpMethod.POST.is(method)) {
            response.getHeaders().put(HttpHeader.ALLOW, "POST, OPTIONS");
            fail(response, callback, start, new BadRequestException(Outcome.METHOD_NOT_ALLOWED,
                    "method " + method + " not allowed; use POST"));
        } else {
            post(request, response, callback, start);
        }
    }

    /**
     * Takes what has arrived of the body on the I/O thread (a body over the limit is refused there) and answers a
     * repeat of a request seen before right there: the memo, the request log and the write never block, and a hop to
     * another thread would cost a cache hit more than the hit itself. Everything else goes to Jetty's executor:
     * reading the rest of the body, parsing, the cache, queueing and running.
     */
    private void post(Request request, Response response, Callback callback, long start) {
        BodyReader.Start body;
        try {
            body = bodies.start(request);
        } catch (BadRequestException e) {
            fail(response, callback, start, e);
            return;
        }
        String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        boolean queryVet = request.getHttpURI().getQuery() != null
                && "true".equals(Request.extractQueryParameters(request).getValue("withVet"));
        Posted whole = body.complete() ? Posted.of(contentType, queryVet, body.bytes()) : null;
        if (whole != null && answeredFromMemo(whole, response, callback, start)) { // no other thread needed
            return;
        }
        dispatch(request, response, callback, start, () -> {
            Posted posted = whole;
            if (posted == null) { // the body came in pieces: a repeat is only known now
                posted = Posted.of(contentType, queryVet, bodies.rest(request, body));
                if (answeredFromMemo(posted, response, callback, start)) {
                    return;
                }
            }
            CompileService.Lookup lookup = lookUp(response, callback, posted, start);
            if (lookup != null) {
                run(request, response, callback, lookup, start);
            }
        });
    }

    /** Answers a repeat of a request answered before from its exact bytes: no parsing, no hashing. */
    private boolean answeredFromMemo(Posted posted, Response response, Callback callback, long start) {
        byte[] seen = service.cached(posted.exact());
        if (seen == null) {
            return false;
        }
        answerHit(response, callback, seen, start);
        return true;
    }

    /** A whole request body, what else decides its answer (its content type and ?withVet), and all of it as one key. */
    private record Posted(String contentType, boolean queryVet, byte[] body, byte[] exact) {
        static Posted of(String contentType, boolean queryVet, byte[] body) {
            byte[] type = contentType == null ? new byte[0] : contentType.getBytes(StandardCharsets.UTF_8);
            byte[] exact = new byte[type.length + 2 + body.length];
            System.arraycopy(type, 0, exact, 0, type.length);
            exact[type.length] = 0;
            exact[type.length + 1] = (byte) (queryVet ? 1 : 0);
            System.arraycopy(body, 0, exact, type.length + 2, body.length);
            return new Posted(contentType, queryVet, body, exact);
        }
    }

    /** Work for the executor: it may block, and whatever it throws becomes the answer. */
    @FunctionalInterface
    private interface Work {
        void run() throws Exception;
    }

    private void dispatch(Request request, Response response, Callback callback, long start, Work work) {
        // Our own deadlines bound the work; a quiet connection while a program runs is not a failure.
        request.addIdleTimeoutListener(t -> false);
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
     * status 200, and cache hits by the program's key); returns the lookup to run, or null when already answered.
     */
    private CompileService.Lookup lookUp(Response response, Callback callback, Posted posted, long start)
            throws BadRequestException {
        CompileRequest parsed = parser.parse(posted.contentType(), posted.body(), posted.queryVet());
        Program program;
        try {
            program = new Program(Txtar.split(parsed.body()), parsed.withVet());
        } catch (InvalidProgramException e) {
            log.record(Outcome.INVALID, "miss", millisSince(start), "");
            replies.errors(response, callback, 200, e.getMessage());
            return null;
        }
        CompileService.Lookup lookup = service.lookup(program, posted.exact());
        if (lookup.cached() == null) {
            return lookup;
        }
        answerHit(response, callback, lookup.cached(), start);
        return null;
    }

    private void answerHit(Response response, Callback callback, byte[] answer, long start) {
        log.record(Outcome.CACHED, "hit", millisSince(start), "");
        Responses.send(response, callback, 200, Responses.JSON, answer);
    }

    private void run(Request request, Response response, Callback callback, CompileService.Lookup lookup, long start)
            throws Exception {
        CompileService.Reply reply = service.run(lookup, clientGone(request));
        String cache = switch (reply.outcome()) {
            case COALESCED -> "coalesced";
            case CACHED -> "shared"; // a local hit never gets this far
            default -> "miss";
        };
        log.record(reply.outcome(), cache, millisSince(start), reply.container());
        Responses.send(response, callback, 200, Responses.JSON, reply.body());
    }

    /** Answers a request that ended in an exception with the status its outcome means, and records it. */
    private void fail(Response response, Callback callback, long start, Exception e) {
        Outcome outcome = Outcome.of(e);
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        switch (outcome) {
            case SANDBOX_ERROR, SANDBOX_UNAVAILABLE -> LOG.error("sandbox failure: {}", e.getMessage());
            case INTERNAL_ERROR -> LOG.error("internal error", e);
            default -> { }
        }
        log.record(outcome, "miss", millisSince(start), "");
        replies.failure(response, callback, outcome, e);
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** True once Jetty reports the request failed, the connection is closed, or the kernel shows the peer gone. */
    private static BooleanSupplier clientGone(Request request) {
        AtomicBoolean failed = new AtomicBoolean();
        request.addFailureListener(t -> failed.set(true));
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        return () -> failed.get() || !endPoint.isOpen()
                || PeerProbe.peerClosed(endPoint.getLocalSocketAddress(), endPoint.getRemoteSocketAddress());
    }
}
