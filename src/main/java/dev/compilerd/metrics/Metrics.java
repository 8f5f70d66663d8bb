package dev.compilerd.metrics;

import dev.compilerd.compile.Admission;
import dev.compilerd.compile.CompileService;
import dev.compilerd.compile.ResultCache;
import dev.compilerd.lifecycle.Lifecycle;
import dev.compilerd.lifecycle.State;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.ToDoubleFunction;

/** The Prometheus registry and the gauges that read live state (cache, queue, lifecycle) at scrape time. */
public final class Metrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    public void bindCache(ResultCache cache) {
        gauge("compilerd_cache_entries", cache, ResultCache::size, "cached responses");
        gauge("compilerd_cache_bytes", cache, ResultCache::bytes, "bytes of cached responses");
        counter("compilerd_cache_hits", cache, ResultCache::hitCount, "cache hits");
        counter("compilerd_cache_misses", cache, ResultCache::missCount, "cache misses");
        counter("compilerd_cache_evictions", cache, ResultCache::evictionCount, "cache evictions");
    }

    public void bindAdmission(Admission admission) {
        gauge("compilerd_queue_depth", admission, Admission::waiting, "requests waiting for a worker");
        gauge("compilerd_runs_in_flight", admission, Admission::inFlight, "programs running now");
        gauge("compilerd_recent_run_seconds", admission, a -> a.recentRunTime().toMillis() / 1000.0,
                "90th percentile of recent run times, by which waits are judged");
    }

    public void bindService(CompileService service) {
        gauge("compilerd_coalescing", service, CompileService::coalescing,
                "requests waiting for an identical program that is running");
    }

    public void bindLifecycle(Lifecycle lifecycle) {
        gauge("compilerd_lifecycle_state_seconds", lifecycle, l -> l.timeInState().toMillis() / 1000.0,
                "how long the process has been in its current lifecycle state");
        for (State s : State.values()) {
            Gauge.builder("compilerd_lifecycle_state", lifecycle, l -> l.state() == s ? 1 : 0)
                    .description("1 for the current lifecycle state").tag("state", s.name()).register(registry);
        }
    }

    /** Registers a gauge read from {@code obj} at scrape time. */
    public <T> void gauge(String name, T obj, ToDoubleFunction<T> f, String help) {
        Gauge.builder(name, obj, f).description(help).register(registry);
    }

    /** Registers a monotonic counter read from {@code obj} at scrape time. */
    public <T> void counter(String name, T obj, ToDoubleFunction<T> f, String help) {
        FunctionCounter.builder(name, obj, f).description(help).register(registry);
    }
}
