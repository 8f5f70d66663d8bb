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
    private final Timer build;
    private final Timer run;

    public CompileService(Sandbox sandbox, ResultCache cache, Admission admission, ResponseMapper mapper,
                          ObjectMapper json, MeterRegistry meters) {
        this.sandbox = sandbox;
        this.cache = cache;
        this.admission = admission;
        this.mapper = mapper;
        this.json = json;
        this.build = Timer.builder("compilerd_build_duration").description("vet + build time inside the sandbox")
                .publishPercentileHistogram().register(meters);
        this.run = Timer.builder("compilerd_run_duration").description("program run time inside the sandbox")
                .publishPercentileHistogram().register(meters);
    }

    /** The serialized response of a request, how it ended, and the container that ran it (or ""). */
    public record Reply(byte[] body, Outcome outcome, String container) {}

    /** A program, its cache key, and the cached response if there is one. */
    public record Lookup(Program program, String key, byte[] cached) {}

    /** Looks the program up in the local cache; never blocks. */
    public Lookup lookup(Program program) {
        String key = cache.key(program);
        return new Lookup(program, key, cache.get(key));
    }

    /** Runs a program the cache did not have, under admission control, and caches a deterministic outcome. */
    public Reply run(Lookup lookup, BooleanSupplier clientGone) throws SandboxException, InterruptedException,
            Admission.BusyException, Admission.AbandonedException {
        RunResult result;
        try (Admission.Permit permit = admission.acquire(clientGone)) {
            result = sandbox.run(lookup.program());
        }
        build.record(result.build().took());
        run.record(result.run().took());
        ResponseMapper.Mapped m = mapper.map(result);
        byte[] body = serialize(m.response());
        if (m.outcome().cacheable()) {
            cache.put(lookup.key(), body);
        }
        return new Reply(body, m.outcome(), result.container());
    }

    private byte[] serialize(CompileResponse response) {
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
