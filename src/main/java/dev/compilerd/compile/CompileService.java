package dev.compilerd.compile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.compilerd.sandbox.Program;
import dev.compilerd.sandbox.RunResult;
import dev.compilerd.sandbox.Sandbox;
import dev.compilerd.sandbox.SandboxException;
import java.util.function.BooleanSupplier;

/** Answers a program from the cache, or runs it under admission control and caches deterministic outcomes. Thread-safe. */
public final class CompileService {
    private final Sandbox sandbox;
    private final ResultCache cache;
    private final Admission admission;
    private final ResponseMapper mapper;
    private final ObjectMapper json;

    public CompileService(Sandbox sandbox, ResultCache cache, Admission admission, ResponseMapper mapper, ObjectMapper json) {
        this.sandbox = sandbox;
        this.cache = cache;
        this.admission = admission;
        this.mapper = mapper;
        this.json = json;
    }

    /** The serialized response and what happened, for the request log. */
    public record Reply(byte[] body, boolean cacheHit, String outcome, String container) {}

    public Reply compile(Program program, BooleanSupplier clientGone) throws SandboxException, InterruptedException,
            Admission.BusyException, Admission.AbandonedException {
        String key = cache.key(program);
        byte[] cached = cache.get(key);
        if (cached != null) {
            return new Reply(cached, true, "cached", "");
        }
        RunResult result;
        try (Admission.Permit permit = admission.acquire(clientGone)) {
            result = sandbox.run(program);
        }
        ResponseMapper.Mapped m = mapper.map(result);
        byte[] body = serialize(m.response());
        if (m.cacheable()) {
            cache.put(key, body);
        }
        return new Reply(body, false, m.outcome(), result.container());
    }

    /** Serializes a response the way every handler writes it. */
    public byte[] serialize(CompileResponse response) {
        try {
            return json.writeValueAsBytes(response);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize response", e);
        }
    }

    public Admission admission() {
        return admission;
    }

    public ResultCache cache() {
        return cache;
    }
}
