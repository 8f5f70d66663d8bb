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

    /** The serialized response of a run and what happened, for the request log. */
    public record Reply(byte[] body, String outcome, String container) {}

    /** A program, its cache key, and the cached response if there is one. */
    public record Lookup(Program program, String key, byte[] cached) {}

    /** Looks the program up in the cache; never blocks. */
    public Lookup lookup(Program program) {
        String key = cache.key(program);
        byte[] body = cache.get(key);
        if (body != null) {
            hits.increment();
        }
        return new Lookup(program, key, body);
    }

    /** Runs a program the cache did not have, under admission control, and caches a deterministic outcome. */
    public Reply run(Lookup lookup, BooleanSupplier clientGone) throws SandboxException, InterruptedException,
            Admission.BusyException, Admission.AbandonedException {
        Program program = lookup.program();
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
            cache.put(lookup.key(), body);
        }
        return new Reply(body, m.outcome(), result.container());
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

}
