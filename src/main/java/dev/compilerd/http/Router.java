package dev.compilerd.http;

import java.time.Duration;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.CrossOriginHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Routes /compile, /fmt, /healthz, /version, /metrics and / ; everything else is 404. /compile, /fmt and /version,
 * which a playground page calls from another origin, pass through Jetty's CrossOriginHandler. Runs on Jetty's I/O
 * threads and never blocks: /compile and /fmt hand anything that may wait to the executor. Closes connections once
 * lameduck.
 */
public final class Router extends Handler.Abstract.NonBlocking {
    /** How long a browser may keep a preflight's answer. */
    static final Duration PREFLIGHT_MAX_AGE = Duration.ofDays(1);

    private final CompileHandler compile;
    private final CompileHandler fmt;
    private final BooleanSupplier healthy;
    private final Supplier<String> sandboxFailure;
    private final BooleanSupplier closeConnections;
    private final Handler metrics;
    private final Versions versions;
    private final CrossOriginHandler crossOrigin;
    private final String help;

    /**
     * @param healthy          whether /healthz answers 200 (false from lameduck on)
     * @param sandboxFailure   why containers fail to start, or null: /healthz fails while it is set
     * @param closeConnections whether responses end their connection (lameduck: move clients off this VM)
     * @param metrics          serves /metrics
     */
    public Router(CompileHandler compile, CompileHandler fmt, BooleanSupplier healthy, Supplier<String> sandboxFailure,
                  BooleanSupplier closeConnections, Handler metrics, Versions versions, String allowOrigin, int port,
                  String releases) {
        this.versions = versions;
        this.compile = compile;
        this.fmt = fmt;
        this.healthy = healthy;
        this.sandboxFailure = sandboxFailure;
        this.closeConnections = closeConnections;
        this.metrics = metrics;
        this.help = help(port, releases);
        this.crossOrigin = crossOrigin(allowOrigin, new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                switch (Request.getPathInContext(request)) {
                    case "/compile" -> compile.handle(request, response, callback);
                    case "/fmt" -> fmt.handle(request, response, callback);
                    default -> version(request, response, callback);
                }
                return true;
            }
        });
        addBean(crossOrigin); // started and stopped with this handler
    }

    /**
     * CORS as Jetty does it: a request from an allowed origin ({@code allowOrigin}, "*" for any) gets it back in
     * Access-Control-Allow-Origin, and every answer Vary: Origin; preflights reach /compile, which answers 204.
     */
    static CrossOriginHandler crossOrigin(String allowOrigin, Handler paths) {
        CrossOriginHandler cors = new CrossOriginHandler();
        cors.setAllowedOriginPatterns(Set.of("*".equals(allowOrigin) ? "*" : Pattern.quote(allowOrigin)));
        cors.setAllowedMethods(Set.of("POST", "OPTIONS"));
        cors.setAllowedHeaders(Set.of("Content-Type"));
        cors.setAllowCredentials(false);
        cors.setPreflightMaxAge(PREFLIGHT_MAX_AGE);
        cors.setDeliverPreflightRequests(true);
        cors.setHandler(paths);
        return cors;
    }

    @Override
    public void setServer(Server server) {
        super.setServer(server);
        crossOrigin.setServer(server);
    }

    /** GET /version's answer for a request's ?v= ("" for the default release). */
    @FunctionalInterface
    public interface Versions {
        byte[] of(String v) throws BadRequestException;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (closeConnections.getAsBoolean()) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        String path = Request.getPathInContext(request);
        boolean get = HttpMethod.GET.is(request.getMethod()) || HttpMethod.HEAD.is(request.getMethod());
        switch (path) {
            case "/compile", "/fmt" -> crossOrigin.handle(request, response, callback);
            case "/healthz" -> {
                if (!get) {
                    methodNotAllowed(response, callback);
                } else if (!healthy.getAsBoolean()) {
                    Responses.text(response, callback, 503, "lameduck\n");
                } else if (sandboxFailure.get() != null) {
                    Responses.text(response, callback, 503, "sandbox failing: " + sandboxFailure.get() + "\n");
                } else {
                    Responses.text(response, callback, 200, "ok\n");
                }
            }
            case "/metrics" -> {
                if (!get) {
                    methodNotAllowed(response, callback);
                } else {
                    request.getComponents().getExecutor().execute(() -> {
                        try {
                            metrics.handle(request, response, callback);
                        } catch (Exception e) {
                            callback.failed(e);
                        }
                    });
                }
            }
            case "/version" -> {
                if (get) {
                    crossOrigin.handle(request, response, callback);
                } else {
                    methodNotAllowed(response, callback);
                }
            }
            case "/" -> {
                if (get) {
                    Responses.text(response, callback, 200, help);
                } else {
                    methodNotAllowed(response, callback);
                }
            }
            default -> Responses.text(response, callback, 404, "not found\n");
        }
        return true;
    }

    /** GET /version: the answer of the release ?v= names, or a 400 that lists the releases. */
    private void version(Request request, Response response, Callback callback) {
        String v = request.getHttpURI().getQuery() == null ? null
                : Request.extractQueryParameters(request).getValue("v");
        try {
            Responses.send(response, callback, 200, Responses.JSON, versions.of(v == null ? "" : v));
        } catch (BadRequestException e) {
            Responses.text(response, callback, 400, e.getMessage() + "\n");
        }
    }

    private static void methodNotAllowed(Response response, Callback callback) {
        response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
        Responses.text(response, callback, 405, "method not allowed\n");
    }

    private static String help(int port, String releases) {
        return """
                compilerd: compiles and runs Go programs in a gVisor sandbox.

                POST /compile   run a program; answers the Go playground's JSON:
                                {"Errors":"","Events":[{"Message":"hi\\n","Kind":"stdout","Delay":0}],"Status":0,...}
                  raw:   curl --data-binary @main.go localhost:%1$d/compile
                  JSON:  curl -H 'Content-Type: application/json' -d '{"body":"package main...","withVet":true}' localhost:%1$d/compile
                  form:  curl --data-urlencode body@main.go -d version=2 -d withVet=true localhost:%1$d/compile
                  a Go release: ?v=goprev (the previous one) or ?v=go1.26, with any of the three forms
                POST /fmt       format a program as gofmt does (imports=true: goimports), in the same three forms;
                                answers {"Body":"...","Error":""}
                  curl --data-urlencode body@main.go -d imports=true localhost:%1$d/fmt
                GET  /healthz   200 ok while serving; 503 once lameduck, or while sandbox containers fail to start
                GET  /version   the Go version programs run with, and the modules they may import (?v= as above)
                GET  /metrics   Prometheus metrics

                Go releases: %2$s
                """.formatted(port, releases);
    }
}
