package dev.compilerd.http;

import dev.compilerd.compile.CompileService;
import dev.compilerd.compile.Outcome;
import dev.compilerd.compile.Submission;
import dev.compilerd.sandbox.Program;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POST /compile and POST /fmt: translates HTTP to a {@link Submission} and the service's reply back to HTTP. The
 * first, non-blocking read of the body, and the answer to an exact repeat, happen on the calling I/O thread;
 * everything else runs on Jetty's executor.
 */
public final class CompileHandler {
    private static final Logger LOG = LoggerFactory.getLogger(CompileHandler.class);

    private final CompileService service;
    private final RequestParser parser;
    private final BodyReader bodies;
    private final FailureReplies replies;
    private final RequestLog log;
    private final boolean formatting;

    /** @param formatting whether this is /fmt (format the program) rather than /compile (run it) */
    CompileHandler(CompileService service, RequestParser parser, BodyReader bodies, FailureReplies replies,
                   RequestLog log, boolean formatting) {
        this.formatting = formatting;
        this.service = service;
        this.parser = parser;
        this.bodies = bodies;
        this.replies = replies;
        this.log = log;
    }

    /**
     * POST runs; OPTIONS, a CORS preflight whose headers Jetty's CrossOriginHandler in front (see {@link Router}) has
     * added, gets 204; any other method 405.
     */
    void handle(Request request, Response response, Callback callback) {
        long start = System.nanoTime();
        String method = request.getMethod();
        if (HttpMethod.OPTIONS.is(method)) {
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
     * Takes what has arrived of the body on the I/O thread (a body over the limit is refused there) and answers an
     * exact repeat of a request seen before right there: the memo, the request log and the write never block, and a
     * hop to another thread would cost a cache hit more than the hit itself. Everything else goes to Jetty's executor:
     * reading the rest of the body, parsing, and the service's one blocking call.
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
        Fields query = request.getHttpURI().getQuery() == null ? null : Request.extractQueryParameters(request);
        CompileRequest flags = new CompileRequest("", query != null && "true".equals(query.getValue("withVet")),
                query != null && "true".equals(query.getValue("imports")));
        String release = query == null || query.getValue("v") == null ? "" : query.getValue("v");
        QueryBench queryBench = QueryBench.of(query);
        Posted whole = body.complete() ? Posted.of(contentType, flags, formatting, release, queryBench, body.bytes())
                : null;
        if (whole != null && !queryBench.on()) { // benchmarks are never remembered
            byte[] seen = service.repeat(whole.exact());
            if (seen != null) { // no other thread needed
                answer(response, callback, start, new CompileService.Reply(seen, Outcome.CACHED, CompileService.LOCAL, ""));
                return;
            }
        }
        dispatch(request, response, callback, start, () -> {
            Posted posted = whole != null ? whole
                    : Posted.of(contentType, flags, formatting, release, queryBench, bodies.rest(request, body));
            CompileRequest parsed = parser.parse(posted.contentType(), posted.body(), flags);
            Program.Format format = !formatting ? Program.Format.NONE
                    : parsed.imports() ? Program.Format.GOIMPORTS : Program.Format.GOFMT;
            Submission submission = new Submission(release, parsed.body(), parsed.withVet(), posted.exact(),
                    formatting ? null : parser.bench(parsed, queryBench.bench(), queryBench.pattern(), queryBench.run()),
                    format);
            answer(response, callback, start, service.answer(submission, clientGone(request)));
        });
    }

    /**
     * A whole request body, what else decides its answer (its content type, the path, ?withVet, ?imports, ?v and
     * the query's bench fields), and all of it as one key for the memo of repeats.
     */
    private record Posted(String contentType, byte[] body, byte[] exact) {
        static Posted of(String contentType, CompileRequest query, boolean formatting, String release,
                         QueryBench bench, byte[] body) {
            byte[] type = contentType == null ? new byte[0] : contentType.getBytes(StandardCharsets.UTF_8);
            byte[] v = release.getBytes(StandardCharsets.UTF_8);
            byte[] b = bench.key();
            int flags = (query.withVet() ? 1 : 0) | (query.imports() ? 2 : 0) | (formatting ? 4 : 0);
            ByteBuffer exact = ByteBuffer.allocate(type.length + v.length + b.length + 3 + body.length);
            exact.put(type).put((byte) 0).put((byte) flags).put(v).put((byte) 0).put(b).put(body);
            return new Posted(contentType, body, exact.array());
        }
    }

    /** The query's ?bench, ?benchPattern and ?benchRun as given (null where absent). */
    private record QueryBench(String bench, String pattern, String run) {
        static QueryBench of(Fields query) {
            return query == null ? new QueryBench(null, null, null) : new QueryBench(query.getValue(RequestParser.BENCH),
                    query.getValue(RequestParser.BENCH_PATTERN), query.getValue(RequestParser.BENCH_RUN));
        }

        /** Whether the query asks for benchmarks (a malformed value is refused later, by the parser). */
        boolean on() {
            return "1".equals(bench) || "true".equals(bench);
        }

        /** The three values for the memo's key, each length-prefixed (-1: absent) so no two sets read alike. */
        byte[] key() {
            java.io.ByteArrayOutputStream k = new java.io.ByteArrayOutputStream();
            for (String s : new String[] {bench, pattern, run}) {
                byte[] v = s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
                k.writeBytes(ByteBuffer.allocate(4).putInt(s == null ? -1 : v.length).array());
                k.writeBytes(v);
            }
            return k.toByteArray();
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

    private void answer(Response response, Callback callback, long start, CompileService.Reply reply) {
        log.record(path(), reply.outcome(), reply.source(), millisSince(start), reply.container());
        Responses.send(response, callback, 200, Responses.JSON, reply.body());
    }

    /** Answers a request that ended in an exception with the status its outcome means, and records it. */
    private void fail(Response response, Callback callback, long start, Exception e) {
        Outcome outcome = e instanceof BadRequestException b ? b.outcome() : Outcome.of(e);
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        switch (outcome) {
            case SANDBOX_ERROR, SANDBOX_UNAVAILABLE -> LOG.error("sandbox failure: {}", e.getMessage());
            case INTERNAL_ERROR -> LOG.error("internal error", e);
            default -> { }
        }
        log.record(path(), outcome, "miss", millisSince(start), "");
        replies.failure(response, callback, outcome, e);
    }

    private String path() {
        return formatting ? "/fmt" : "/compile";
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
