package dev.compilerd.compile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.compilerd.sandbox.Program;
import dev.compilerd.sandbox.RunResult;
import dev.compilerd.sandbox.Sandbox;
import dev.compilerd.sandbox.SandboxException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Answers a program from the local cache, the shared tier, an identical run in flight, or a run of its own under
 * admission control; deterministic outcomes are kept in both tiers. Thread-safe.
 */
public final class CompileService {
    private final Sandbox sandbox;
    private final ResultCache cache;
    private final SharedTier shared;
    private final Admission admission;
    private final Coalescer coalescer;
    private final ResponseMapper mapper;
    private final ObjectMapper json;
    private final Timer build;
    private final Timer run;
    private final Timer queueWait;

    /**
     * @param longestRun the longest one request may take to get through admission and its run; requests waiting
     *                   for an identical program wait no longer than this
     */
    public CompileService(Sandbox sandbox, ResultCache cache, SharedTier shared, Admission admission, int queue,
                          Duration longestRun, ResponseMapper mapper, ObjectMapper json, MeterRegistry meters) {
        this.sandbox = sandbox;
        this.cache = cache;
        this.shared = shared;
        this.admission = admission;
        this.coalescer = new Coalescer(queue, longestRun);
        this.mapper = mapper;
        this.json = json;
        this.build = Timer.builder("compilerd_build_duration").description("vet + build time inside the sandbox")
                .publishPercentileHistogram().register(meters);
        this.run = Timer.builder("compilerd_run_duration").description("program run time inside the sandbox")
                .publishPercentileHistogram().register(meters);
        this.queueWait = Timer.builder("compilerd_queue_wait").description("time from a cache miss to a worker")
                .publishPercentileHistogram().register(meters);
    }

    /** The serialized response of a request, how it ended, and the container that ran it (or ""). */
    public record Reply(byte[] body, Outcome outcome, String container) {}

    /** A program, its cache key, the request's exact bytes, and the locally cached response if there is one. */
    public record Lookup(Program program, String key, byte[] request, byte[] cached) {}

    /** The cached response to a request with exactly these bytes, or null; never blocks. */
    public byte[] cached(byte[] request) {
        return cache.getByRequest(request);
    }

    /** Looks the program up in the local cache, remembering a hit for the request's exact bytes; never blocks. */
    public Lookup lookup(Program program, byte[] request) {
        String key = cache.key(program);
        byte[] hit = cache.get(key);
        if (hit != null) {
            cache.rememberRequest(request, hit);
        }
        return new Lookup(program, key, request, hit);
    }

    /**
     * Answers a program the local cache did not have: from the shared tier (filling the local one), from an
     * identical program already running, or by running it. May block.
     */
    public Reply run(Lookup lookup, BooleanSupplier clientGone) throws Exception {
        Optional<byte[]> fromShared = shared.get(lookup.key());
        if (fromShared.isPresent()) {
            cache.put(lookup.key(), lookup.request(), fromShared.get());
            return new Reply(fromShared.get(), Outcome.CACHED, "");
        }
        return coalescer.run(lookup.key(), () -> runNow(lookup, clientGone), clientGone);
    }

    private Reply runNow(Lookup lookup, BooleanSupplier clientGone) throws SandboxException, InterruptedException,
            BusyException, AbandonedException {
        long t0 = System.nanoTime();
        RunResult result;
        try (Admission.Permit permit = admission.acquire(clientGone)) {
            queueWait.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
            result = sandbox.run(lookup.program());
        }
        build.record(result.build().took());
        run.record(result.run().took());
        ResponseMapper.Mapped m = mapper.map(result);
        byte[] body = serialize(m.response());
        if (m.outcome().cacheable()) {
            cache.put(lookup.key(), lookup.request(), body);
            shared.put(lookup.key(), body);
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

    /** Requests waiting for an identical program to finish. */
    public int coalescing() {
        return coalescer.following();
    }
}
