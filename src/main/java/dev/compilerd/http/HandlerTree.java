package dev.compilerd.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.compilerd.compile.CompileService;
import dev.compilerd.compile.Releases;
import dev.compilerd.compile.UnknownReleaseException;
import dev.compilerd.config.HttpSettings;
import dev.compilerd.sandbox.Sandbox;
import dev.compilerd.sandbox.SandboxInfo;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Builds the handler tree of compilerd (router, /compile adapter, request log) from its settings; Main wires it. */
public final class HandlerTree {
    private final Router router;

    /**
     * @param meters         where the request log counts requests
     * @param scrape         GET /metrics's text
     * @param healthy        whether /healthz answers 200 (false from lameduck on)
     * @param closing        whether responses end their connection (lameduck: move clients off this VM)
     * @param sandboxFailure why containers fail to start, or null: /healthz fails while it is set
     */
    public HandlerTree(HttpSettings http, CompileService service, ObjectMapper json, MeterRegistry meters,
                       Supplier<String> scrape, BooleanSupplier healthy, BooleanSupplier closing,
                       Supplier<String> sandboxFailure) {
        RequestParser parser = new RequestParser(json);
        BodyReader bodies = new BodyReader(http.maxRequestBytes(), http.bodyTimeout());
        FailureReplies replies = new FailureReplies(json);
        RequestLog log = new RequestLog(meters);
        CompileHandler compile = new CompileHandler(service, parser, bodies, replies, log, false);
        CompileHandler fmt = new CompileHandler(service, parser, bodies, replies, log, true);
        this.router = new Router(compile, fmt, healthy, sandboxFailure, closing, new MetricsHandler(scrape),
                versions(service.releases(), json), http.allowOrigin(), http.port(), service.releases().describe());
    }

    /** GET /version?v=: each release's answer, computed once; an unknown release gets the 400's message. */
    static Router.Versions versions(Releases releases, ObjectMapper json) {
        Map<Sandbox, byte[]> answers = new IdentityHashMap<>();
        for (Sandbox s : releases.all()) {
            answers.put(s, version(s.info(), s.imageId(), json));
        }
        return v -> {
            try {
                return answers.get(releases.resolve(v));
            } catch (UnknownReleaseException e) {
                throw new BadRequestException(e.getMessage());
            }
        };
    }

    /** GET /version in the Go playground's shape, plus the image that answers and the modules a program may import. */
    static byte[] version(SandboxInfo info, String image, ObjectMapper json) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("Version", info.goVersion());
        v.put("Release", info.release());
        v.put("Name", "Go " + info.release().replaceFirst("^go", ""));
        v.put("Image", image);
        v.put("Modules", info.modules().stream().map(m -> {
            Map<String, String> module = new LinkedHashMap<>();
            module.put("Path", m.path());
            module.put("Version", m.version());
            return module;
        }).toList());
        try {
            return json.writeValueAsBytes(v);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize the version", e);
        }
    }

    public Router router() {
        return router;
    }
}
