package dev.compilerd.http;

import java.time.Duration;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.IdleTimeout;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.ConnectionLimit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** Jetty hardened for a public port: bounded headers, connections and idle time; graceful drain on stop. */
public final class HttpServer {
    /** Limits on the HTTP layer itself, independent of the program limits. */
    public static final int MAX_HEADER_BYTES = 8 * 1024;
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);
    public static final int MAX_CONNECTIONS = 2000;
    /** A connection must be this quiet before lameduck closes it: bytes may be a request being parsed. */
    static final Duration QUIET_BEFORE_CLOSE = Duration.ofSeconds(1);
    /**
     * Threads beyond those that may block: one per worker, per queued request and per request waiting on an identical
     * program (as many as --queue), and the acceptor's and selectors'. These serve cache hits whose body came in
     * pieces, lookups and parsing, and metrics.
     */
    static final int SPARE_THREADS = 32;
    /**
     * One selector per core: cache hits, health checks and /version are answered on the selector threads themselves
     * (they never block), so one selector would put them all on one core (Jetty's default is one per two cores).
     */
    static final int SELECTORS = Math.max(1, Runtime.getRuntime().availableProcessors());

    private final Server server;
    private final ServerConnector connector;

    private volatile boolean draining;

    public HttpServer(String bind, int port, Router router, int workers, int queue, Duration drainTimeout) {
        QueuedThreadPool threads = new QueuedThreadPool(workers + 2 * queue + 1 + SELECTORS + SPARE_THREADS, 8);
        threads.setName("http");
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(MAX_HEADER_BYTES);
        http.setResponseHeaderSize(MAX_HEADER_BYTES);
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        connector = new ServerConnector(server, 1, SELECTORS, new HttpConnectionFactory(http));
        connector.setHost(bind);
        connector.setPort(port);
        connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        server.addConnector(connector);
        server.addBean(new ConnectionLimit(MAX_CONNECTIONS, server));
        server.setHandler(new DrainGuard(new GracefulHandler(router)));
        server.setStopTimeout(drainTimeout.toMillis());
        // On a JVM exit that is not our own drain (Ctrl-C in development), Jetty stops the server, beans included.
        server.setStopAtShutdown(true);
    }

    /**
     * Closes {@code resource} when the server stops, after in-flight requests are done: Jetty's lifecycle owns the
     * order (beans stop in reverse order of adding), so nothing relies on JVM shutdown hooks.
     */
    public void stopWith(AutoCloseable resource) {
        server.addManaged(new AbstractLifeCycle() {
            @Override
            protected void doStop() throws Exception {
                resource.close();
            }
        });
    }

    public void start() throws Exception {
        server.start();
    }

    /** The port actually bound (useful with --port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /**
     * Closes keep-alive connections that carry no request and have been quiet for a moment; the others close
     * after their next response (the Router adds Connection: close from lameduck on). A connection waits to read
     * only between requests: while a request is handled, Jetty does not read from it.
     */
    public int closeIdleConnections() {
        int closed = 0;
        for (EndPoint ep : connector.getConnectedEndPoints()) {
            boolean quiet = !(ep instanceof IdleTimeout t) || t.getIdleFor() >= QUIET_BEFORE_CLOSE.toMillis();
            if (ep.isFillInterested() && quiet) {
                ep.close();
                closed++;
            }
        }
        return closed;
    }

    /**
     * Stops accepting, answers new requests on open connections with 503 + Retry-After, lets in-flight requests
     * finish (bounded by the drain timeout), then stops.
     */
    public void drainAndStop() throws Exception {
        draining = true;
        server.stop();
    }

    /** While draining, a request that arrives on a kept-alive connection is sent elsewhere, never dropped. */
    private final class DrainGuard extends Handler.Wrapper {
        DrainGuard(Handler next) {
            super(next);
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            if (!draining) {
                return super.handle(request, response, callback);
            }
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(FailureReplies.RETRY_AFTER.toSeconds()));
            Responses.text(response, callback, 503, "server shutting down; try another server\n");
            return true;
        }
    }
}
