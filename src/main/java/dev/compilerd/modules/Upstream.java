package dev.compilerd.modules;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Fetches one file from the upstream module proxy within a deadline (body included) and a size bound, and says what
 * came of it; it never throws for the upstream's trouble. Thread-safe (the HttpClient is).
 */
final class Upstream {
    /** The most of a not-found or error body kept: the go command prints a few lines of it. */
    static final int MAX_TEXT_BYTES = 1024;

    /** What one fetch came to. */
    sealed interface Fetch permits Found, Missing, TooLarge, Failed {}

    /** 200 and the whole body. */
    record Found(byte[] body) implements Fetch {}

    /** 404 or 410: the upstream has no such file; its short text says why. */
    record Missing(int status, String text) implements Fetch {}

    /** The file is larger than the bound (by its Content-Length, or once the body passed it). */
    record TooLarge(long limit) implements Fetch {}

    /** Unreachable, timed out, 5xx or another status: the upstream's failure, described for the go command. */
    record Failed(String why) implements Fetch {}

    private record Body(int status, byte[] bytes) {}

    /** Raised inside the body subscriber when the body passes the bound. */
    private static final class OverLimit extends IOException {
        OverLimit() {
            super("over the limit");
        }
    }

    private final String base;
    private final HttpClient http;
    private final Duration timeout;
    private final long maxBytes;

    Upstream(URI base, HttpClient http, Duration timeout, long maxBytes) {
        String b = base.toString();
        this.base = b.endsWith("/") ? b : b + "/";
        this.http = http;
        this.timeout = timeout;
        this.maxBytes = maxBytes;
    }

    /** Fetches base/path (a path {@link ProxyRequest} accepted: no character in it needs URL encoding). */
    Fetch fetch(String path) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout).GET()
                .header("User-Agent", "compilerd-module-proxy").build();
        CompletableFuture<HttpResponse<Body>> call = http.sendAsync(request, info -> {
            int status = info.statusCode();
            long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1);
            BodySubscriber<byte[]> bytes = status == 200 ? new Capped(maxBytes, declared, true)
                    : new Capped(MAX_TEXT_BYTES, -1, false);
            return BodySubscribers.mapping(bytes, b -> new Body(status, b));
        });
        HttpResponse<Body> response;
        try {
            response = call.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            return new Failed("no complete answer within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            call.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            return failure(e.getCause());
        }
        Body body = response.body();
        return switch (body.status) {
            case 200 -> new Found(body.bytes);
            case 404, 410 -> new Missing(body.status, text(body.bytes));
            default -> new Failed("it answered HTTP " + body.status + (body.bytes.length == 0 ? "" : ": " + text(body.bytes)));
        };
    }

    private Fetch failure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof OverLimit) {
                return new TooLarge(maxBytes);
            }
        }
        if (cause instanceof HttpConnectTimeoutException) {
            return new Failed("could not connect within " + timeout.toMillis() + " ms");
        }
        if (cause instanceof HttpTimeoutException) {
            return new Failed("no answer within " + timeout.toMillis() + " ms");
        }
        if (cause instanceof ConnectException) {
            return new Failed("could not connect (" + (cause.getMessage() == null ? "refused" : cause.getMessage()) + ")");
        }
        return new Failed(cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
    }

    /** The first lines of a text body, printable ASCII and newlines only, as the go command will show them. */
    private static String text(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.UTF_8).strip();
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> out.append(c == '\n' || (c >= 0x20 && c < 0x7f) ? (char) c : '?'));
        return out.toString();
    }

    /**
     * Collects a body up to a bound. Over it, either fails with {@link OverLimit} (a file: nothing partial is kept)
     * or keeps what came so far (an error's text); either way it stops the download.
     */
    private static final class Capped implements BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final long limit;
        private final long declared;
        private final boolean failOver;
        private Flow.Subscription subscription;

        Capped(long limit, long declared, boolean failOver) {
            this.limit = limit;
            this.declared = declared;
            this.failOver = failOver;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (failOver && declared > limit) {
                result.completeExceptionally(new OverLimit());
                s.cancel();
                return;
            }
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer b : buffers) {
                if (result.isDone()) {
                    return;
                }
                int room = (int) Math.min(b.remaining(), limit - out.size());
                if (room < b.remaining()) {
                    if (failOver) {
                        result.completeExceptionally(new OverLimit());
                    } else {
                        byte[] head = new byte[room];
                        b.get(head);
                        out.writeBytes(head);
                        result.complete(out.toByteArray());
                    }
                    subscription.cancel();
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                out.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(out.toByteArray());
        }
    }
}
