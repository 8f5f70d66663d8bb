package dev.compilerd.compile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.base.Ticker;
import dev.compilerd.sandbox.Program;
import dev.compilerd.sandbox.RunResult;
import dev.compilerd.sandbox.Sandbox;
import dev.compilerd.sandbox.SandboxException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Owns the policy of answering a program: the memo of exact repeats, the local cache, the shared tier, an identical
 * run in flight here or on another server of the fleet, or a run of its own in its release's sandbox under admission
 * control shared by every release; deterministic outcomes are kept in both tiers. The cache key holds the release's image, so releases never share
 * answers or runs. Benchmarks are measurements: each request runs on its own, and nothing keeps its answer.
 * Thread-safe.
 */
public final class CompileService {
    /** Where an answer came from, for the request log. */
    public static final String LOCAL = "hit";
    public static final String SHARED = "shared";
    public static final String COALESCED = "coalesced";
    /** Answered with another server's run of the same program, awaited in the shared tier. */
    public static final String FLEET = "fleet";
    public static final String RUN = "miss";
    /** Peak memory buckets, 4 MiB to 2 GiB: a Go hello world peaks near 19 MiB under gVisor, the sandbox has 512 MiB. */
    private static final double[] RSS_BUCKETS = java.util.stream.IntStream.rangeClosed(22, 31)
            .mapToDouble(i -> Math.pow(2, i)).toArray();

    private final Releases releases;
    private final ResultCache cache;
    private final SharedTier shared;
    private final Admission admission;
    private final Coalescer coalescer;
    private final FleetRuns fleet;
    private final ResponseMapper mapper;
    private final ObjectMapper json;
    private final Timer build;
    private final Timer run;
    private final Timer queueWait;
    private final Timer runCpu;
    private final DistributionSummary runMaxRss;
    private final Counter benchRuns;

    /**
     * @param longestRun the longest one request may take to get through admission and its run; requests waiting
     *                   for an identical program wait no longer than this
     */
    public CompileService(Releases releases, ResultCache cache, SharedTier shared, Admission admission, int queue,
                          Duration longestRun, ResponseMapper mapper, ObjectMapper json, Ticker ticker,
                          MeterRegistry meters) {
        this.releases = releases;
        this.cache = cache;
        this.shared = shared;
        this.admission = admission;
        this.coalescer = new Coalescer(queue, longestRun);
        this.fleet = new FleetRuns(shared, longestRun, ticker, meters);
        this.mapper = mapper;
        this.json = json;
        this.build = Timer.builder("compilerd_build_duration").description("vet + build time inside the sandbox")
                .publishPercentileHistogram().register(meters);
        this.run = Timer.builder("compilerd_run_duration").description("program run time inside the sandbox")
                .publishPercentileHistogram().register(meters);
        this.queueWait = Timer.builder("compilerd_queue_wait").description("time from a cache miss to a worker")
                .publishPercentileHistogram().register(meters);
        this.runCpu = Timer.builder("compilerd_run_cpu").description("program CPU time, user + system, inside the sandbox")
                .publishPercentileHistogram().register(meters);
        this.runMaxRss = DistributionSummary.builder("compilerd_run_max_rss").baseUnit("bytes")
                .description("peak resident memory of a program inside the sandbox")
                .serviceLevelObjectives(RSS_BUCKETS).register(meters);
        this.benchRuns = Counter.builder("compilerd_bench_runs").description("runs of benchmarks on the real clock")
                .register(meters);
    }

    /**
     * The serialized response of a request, how it ended, where it came from ({@link #LOCAL}, {@link #SHARED},
     * {@link #COALESCED}, {@link #FLEET} or {@link #RUN}), and the container that ran it (or "").
     */
    public record Reply(byte[] body, Outcome outcome, String source, String container) {
        /** Whether an identical program may be given this answer: a deterministic run's, or one taken from a cache. */
        boolean shareable() {
            return outcome.cacheable() || outcome == Outcome.CACHED || outcome == Outcome.COALESCED;
        }
    }

    /** The answer to an exact repeat of a request answered before, or null; never blocks (I/O threads call it). */
    public byte[] repeat(byte[] exact) {
        return cache.getByRequest(exact);
    }

    /**
     * Answers a request: from the memo, the local cache, the shared tier (filling the local one), an identical
     * program of the same release already running here or on another server, or a run; benchmarks always by a run of their own, whose
     * answer nothing keeps. A request to format the program instead (/fmt) takes the same path with its own keys.
     * Blocks while it queues and runs.
     *
     * @throws UnknownReleaseException the request names a Go release this server does not offer
     */
    public Reply answer(Submission s, BooleanSupplier clientGone) throws Exception {
        byte[] seen = s.bench() == null ? cache.getByRequest(s.exact()) : null;
        if (seen != null) {
            return new Reply(seen, Outcome.CACHED, LOCAL, "");
        }
        Sandbox sandbox = releases.resolve(s.release());
        boolean formatting = s.format() != Program.Format.NONE;
        Txtar.Archive files;
        try {
            files = Txtar.parse(s.source());
        } catch (InvalidProgramException e) {
            Object invalid = formatting ? FmtResponse.error(e.getMessage()) : CompileResponse.error(e.getMessage());
            return new Reply(serialize(invalid), Outcome.INVALID, RUN, "");
        }
        Program program = new Program(files.files(), s.vet() && !formatting, formatting ? null : s.bench(),
                s.format());
        Mapping mapping = formatting ? r -> {
            FormatMapper.Mapped m = FormatMapper.map(r, files);
            return new Answer(m.response(), m.outcome());
        } : r -> {
            ResponseMapper.Mapped m = mapper.map(r, sandbox.info());
            return new Answer(m.response(), m.outcome());
        };
        if (program.bench() != null) {
            // A measurement: never from or into a cache, never waiting on an identical request.
            benchRuns.increment();
            return runNow(sandbox, program, mapping, null, s.exact(), clientGone);
        }
        String key = cache.key(sandbox.imageId(), program);
        byte[] hit = cache.get(key);
        if (hit != null) {
            cache.rememberRequest(s.exact(), hit);
            return new Reply(hit, Outcome.CACHED, LOCAL, "");
        }
        Optional<byte[]> fromShared = shared.get(key);
        if (fromShared.isPresent()) {
            cache.put(key, s.exact(), fromShared.get());
            return new Reply(fromShared.get(), Outcome.CACHED, SHARED, "");
        }
        return coalescer.run(key, () -> fleet.run(key, () -> runNow(sandbox, program, mapping, key, s.exact(), clientGone),
                body -> {
                    cache.put(key, s.exact(), body);
                    return new Reply(body, Outcome.COALESCED, FLEET, "");
                }, clientGone), clientGone);
    }

    /** The answer to a run: the response to serialize and how the request ended. */
    private record Answer(Object response, Outcome outcome) {}

    /** Turns a run's result into its answer: the playground's /compile or /fmt response. */
    @FunctionalInterface
    private interface Mapping {
        Answer map(RunResult result);
    }

    /** Runs the program; a deterministic answer is kept under {@code key} unless that is null. */
    private Reply runNow(Sandbox sandbox, Program program, Mapping mapping, String key, byte[] exact,
                         BooleanSupplier clientGone)
            throws SandboxException, InterruptedException, BusyException, AbandonedException {
        long t0 = System.nanoTime();
        RunResult result;
        try (Admission.Permit permit = admission.acquire(clientGone)) {
            queueWait.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
            result = sandbox.run(program);
        }
        build.record(result.build().took());
        run.record(result.run().took());
        if (result.ending() == RunResult.Ending.RUN && result.run().usage() != null) {
            runCpu.record(result.run().usage().cpu());
            runMaxRss.record(result.run().usage().maxRssBytes());
        }
        Answer a = mapping.map(result);
        byte[] body = serialize(a.response());
        if (key != null && a.outcome().cacheable()) {
            cache.put(key, exact, body);
            shared.put(key, body);
        }
        return new Reply(body, a.outcome(), RUN, result.container());
    }

    private byte[] serialize(Object response) {
        try {
            return json.writeValueAsBytes(response);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize response", e);
        }
    }

    public Admission admission() {
        return admission;
    }

    public Releases releases() {
        return releases;
    }

    /** Requests waiting for an identical program to finish. */
    public int coalescing() {
        return coalescer.following();
    }
}
