package dev.compilerd.metrics;

import dev.compilerd.compile.Admission;
import dev.compilerd.compile.CompileService;
import dev.compilerd.compile.ResultCache;
import dev.compilerd.lifecycle.Lifecycle;
import dev.compilerd.lifecycle.State;
import dev.compilerd.sandbox.Containers;
import dev.compilerd.sandbox.PoolView;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.Consumer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.ToDoubleFunction;

/**
 * The one Prometheus registry, on which every meter is registered the same way, by a Micrometer builder: a class
 * that counts or times its own events (the service, the shared cache, the request log) registers its meters on the
 * {@link MeterRegistry} Main hands it; state that another package keeps and this one reads at scrape time (cache,
 * queue, lifecycle, each release's pool, containers) is bound here, by Main, so no lower package knows this one and
 * the sandbox knows nothing of metrics at all.
 */
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

    /** A release's warm pool, tagged with the release (go1.27). */
    public void bindPool(String release, PoolView pool) {
        Tags tags = Tags.of("release", release);
        Gauge.builder("compilerd_pool_idle", pool, PoolView::idle).description("warm containers waiting").tags(tags)
                .register(registry);
        Gauge.builder("compilerd_pool_target", pool, PoolView::target)
                .description("warm containers the request rate needs now").tags(tags).register(registry);
        FunctionCounter.builder("compilerd_pool_hits", pool, PoolView::hits)
                .description("requests served by a warm container").tags(tags).register(registry);
        FunctionCounter.builder("compilerd_pool_misses", pool, PoolView::misses)
                .description("requests that had to start a container").tags(tags).register(registry);
        FunctionCounter.builder("compilerd_pool_discarded", pool, PoolView::discarded)
                .description("warm containers removed unused (idle too long or broken)").tags(tags).register(registry);
    }

    /** How long a release's runs waited for a ready container. */
    public Consumer<Duration> containerWait(String release) {
        Timer t = Timer.builder("compilerd_container_wait").description("time to get a ready container")
                .tag("release", release).publishPercentileHistogram().register(registry);
        return t::record;
    }

    public void bindContainers(Containers containers) {
        counter("compilerd_containers_reaped", containers, Containers::reapedTotal,
                "orphaned containers removed by the reaper");
        gauge("compilerd_containers_owned", containers, c -> c.owned().size(), "containers started and not yet removed");
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
    private <T> void gauge(String name, T obj, ToDoubleFunction<T> f, String help) {
        Gauge.builder(name, obj, f).description(help).register(registry);
    }

    /** Registers a monotonic counter read from {@code obj} at scrape time. */
    private <T> void counter(String name, T obj, ToDoubleFunction<T> f, String help) {
        FunctionCounter.builder(name, obj, f).description(help).register(registry);
    }
}
