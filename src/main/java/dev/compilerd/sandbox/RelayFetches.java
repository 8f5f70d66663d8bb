package dev.compilerd.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's half of one run's module relay (docker/playground/README.md): each fetch line the runner prints is
 * answered from the module relay on the fetch executor, and the answer goes back to the container's stdin as one
 * frame. Remembers whether any answer was the upstream's failure. Thread-safe.
 */
final class RelayFetches implements Consumer<byte[]> {
    private static final Logger LOG = LoggerFactory.getLogger(RelayFetches.class);

    private final Container container;
    private final ModuleRelay.Session session;
    private final Executor executor;
    private final ObjectMapper json;
    private final AtomicBoolean upstreamFailed = new AtomicBoolean();

    RelayFetches(Container container, ModuleRelay.Session session, Executor executor, ObjectMapper json) {
        this.container = container;
        this.session = session;
        this.executor = executor;
        this.json = json;
    }

    /** Takes one fetch line ({"fetch":{"id":N,"path":"..."}}); a malformed one is answered by nobody. */
    @Override
    public void accept(byte[] line) {
        long id;
        String path;
        try {
            JsonNode fetch = json.readTree(line).path("fetch");
            id = fetch.path("id").asLong(-1);
            path = fetch.path("path").isTextual() ? fetch.path("path").asText() : null;
        } catch (IOException e) {
            id = -1;
            path = null;
        }
        if (id < 0 || path == null) {
            LOG.warn("container {}: malformed module fetch line ignored", container.name);
            return;
        }
        long request = id;
        String asked = path;
        try {
            executor.execute(() -> answer(request, asked));
        } catch (RejectedExecutionException e) {
            send(request, new ModuleRelay.Answer(503, "text/plain; charset=utf-8",
                    com.google.common.io.ByteSource.wrap("compilerd: the server is stopping\n".getBytes(
                            StandardCharsets.UTF_8)), true));
        }
    }

    /** Whether the upstream failed any fetch of this run: then its answer must not be cached. */
    boolean upstreamFailed() {
        return upstreamFailed.get();
    }

    private void answer(long id, String path) {
        try {
            send(id, session.get(path));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void send(long id, ModuleRelay.Answer a) {
        if (a.upstreamFailure()) {
            upstreamFailed.set(true);
        }
        try {
            Map<String, Object> head = new LinkedHashMap<>();
            head.put("id", id);
            head.put("status", a.status());
            head.put("length", a.body().size());
            head.put("contentType", a.contentType() == null ? "" : a.contentType());
            byte[] line = json.writeValueAsBytes(head);
            byte[] framed = java.util.Arrays.copyOf(line, line.length + 1);
            framed[line.length] = '\n';
            container.answer(framed, a.body());
        } catch (IOException e) {
            // The container is gone (deadline, exit): nobody is waiting for this answer.
        }
    }
}
