package dev.compilerd.compile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.compilerd.sandbox.Program;
import dev.compilerd.sandbox.RunResult;
import dev.compilerd.sandbox.Sandbox;
import dev.compilerd.sandbox.SandboxException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.function.BooleanSupplier;

/** Answers a program from the cache, or runs it under admission control and caches deterministic outcomes. Thread-safe. */
public final class CompileService {
    private final Sandbox sandbox;
    private final ResultCache cache;
    private final Admission admission;
    private final ResponseMapper mapper;
    private final ObjectMapper json;
    private final MeterRegistry meters;
    private final Timer build;
    private final Timer run;
    private final io.micrometer.core.instrument.Counter hits;

    public CompileService(Sandbox sandbox, ResultCache cache, Admission admission, ResponseMapper mapper,
                          ObjectMapper json, MeterRegistry meters) {
        this.sandbox = sandbox;
        this.cache = cache;
        this.admission = admission;
        this.mapper = mapper;
        this.json = json;
        this.meters = meters;
        this.build = Timer.builder("compilerd_build_duration").description("vet + build time inside the sandbox")
                .publishPercentileHistogram().register(meters);
        this.hits = meters.counter("compilerd_requests", "outcome", "cached");
        this.run = Timer.builder("compilerd_run_duration").description("program run time inside the sandbox")
                .publishPercentileHistogram().register(meters);
    }

    /** The serialized response and what happened, for the request log. */
    public record Reply(byte[] body, boolean cacheHit, String outcome, String container) {}

    /** The cached response for this program, or null; never blocks. */
    public byte[] cached(Program program) {
        byte[] body = cache.get(cache.key(program));
        if (body != null) {
            hits.increment();
        }
        return body;
    }

    public Reply compile(Program program, BooleanSupplier clientGone) throws SandboxException, InterruptedException,
            Admission.BusyException, Admission.AbandonedException {
        return compile(program, clientGone, true);
    }

    /** Like {@link #compile(Program, BooleanSupplier)}, skipping the cache lookup when the caller just missed. */
    public Reply compile(Program program, BooleanSupplier clientGone, boolean lookUp) throws SandboxException,
            InterruptedException, Admission.BusyException, Admission.AbandonedException {
        String key = cache.key(program);
        byte[] cached = lookUp ? cache.get(key) : null;
        if (cached != null) {
            hits.increment();
            return new Reply(cached, true, "cached", "");
        }
        RunResult result;
        try (Admission.Permit permit = admission.acquire(clientGone)) {
            result = sandbox.run(program);
        } catch (Admission.BusyException e) {
            count("busy");
            throw e;
        } catch (SandboxException e) {
            count("sandbox-error");
            throw e;
        }
        build.record(result.build());
        run.record(result.run());
        ResponseMapper.Mapped m = mapper.map(result);
        count(m.outcome().startsWith("exit-") ? "exit-nonzero" : m.outcome());
        byte[] body = serialize(m.response());
        if (m.cacheable()) {
            cache.put(key, body);
        }
        return new Reply(body, false, m.outcome(), result.container());
    }

    private void count(String outcome) {
        meters.counter("compilerd_requests", "outcome", outcome).increment();
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
