package dev.compilerd.sandbox;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns every container this process starts: registers a name before docker run, removes it with
 * docker rm -f on every path, and reaps labelled containers nobody here owns. Thread-safe.
 */
public final class Containers implements AutoCloseable {
    /** How long one docker rm -f / ps may take before we give up on it. */
    static final Duration DOCKER_COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(Containers.class);

    private final DockerCommand docker;
    private final int maxResultBytes;
    private final Set<String> owned = ConcurrentHashMap.newKeySet();
    /** Owned containers whose docker rm -f failed: the reaper retries them. */
    private final Set<String> unremoved = ConcurrentHashMap.newKeySet();
    private final ExecutorService remover = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "container-remover");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong reaped = new AtomicLong();
    private volatile String lastStartFailure;

    public Containers(DockerCommand docker, int maxResultBytes) {
        this.docker = docker;
        this.maxResultBytes = maxResultBytes;
    }

    /** Starts a sandbox container; it is ours (and safe from the reaper) before docker even sees it. */
    private Container start() throws SandboxException {
        String name = docker.newName();
        owned.add(name);
        try {
            return Container.start(docker.run(name), name, maxResultBytes);
        } catch (SandboxException | RuntimeException e) {
            removeAsync(name);
            throw e;
        }
    }

    /** Starts a container and waits for its runner; removes it and records the failure if it never gets ready. */
    Container startReady(java.time.Duration timeout) throws SandboxException, InterruptedException {
        Container c = null;
        try {
            c = start();
            c.awaitReady(timeout);
            startOutcome(null);
            return c;
        } catch (SandboxException e) {
            startOutcome(e.getMessage());
            if (c != null) {
                removeAsync(c.name);
            }
            throw e;
        } catch (InterruptedException e) {
            if (c != null) {
                removeAsync(c.name);
            }
            throw e;
        }
    }

    /** Records whether the last container came up ready; a failure makes the sandbox unhealthy until one does. */
    void startOutcome(String failure) {
        lastStartFailure = failure;
    }

    /** Why the last container failed to come up, or null if it came up. */
    String lastStartFailure() {
        return lastStartFailure;
    }

    /** Removes the container in the background; it stays owned until docker confirms. */
    void removeAsync(String name) {
        try {
            remover.execute(() -> removeNow(name));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            removeNow(name);
        }
    }

    /** docker rm -f now; a container already gone counts as removed. */
    void removeNow(String name) {
        try {
            Exec.Outcome o = Exec.run(docker.remove(name), DOCKER_COMMAND_TIMEOUT);
            if (o.ok() || o.stderr().contains("No such container")) {
                owned.remove(name);
                unremoved.remove(name);
                return;
            }
            LOG.warn("docker rm -f {} failed (exit {}): {}; the reaper will retry", name, o.exitCode(), o.stderr().strip());
        } catch (SandboxException e) {
            LOG.warn("docker rm -f {} failed: {}; the reaper will retry", name, e.getMessage());
        }
        unremoved.add(name);
    }

    /**
     * Removes every labelled container that no run here owns (left by a crash or SIGKILL), and retries ours
     * whose removal failed; returns how many orphans went.
     */
    public int reapOrphans() throws SandboxException {
        Exec.Outcome o = Exec.run(docker.listOurs(), DOCKER_COMMAND_TIMEOUT);
        if (!o.ok()) {
            throw new SandboxException("docker ps failed (exit " + o.exitCode() + "): " + o.stderr().strip());
        }
        for (String name : List.copyOf(unremoved)) {
            removeNow(name);
        }
        int n = 0;
        for (String name : o.stdout().split("\\s+")) {
            if (!name.isEmpty() && !owned.contains(name)) {
                LOG.info("reaping orphaned container {}", name);
                Exec.Outcome rm = Exec.run(docker.remove(name), DOCKER_COMMAND_TIMEOUT);
                if (rm.ok()) {
                    n++;
                }
            }
        }
        reaped.addAndGet(n);
        return n;
    }

    /** Names of the containers this process started and has not yet seen removed. */
    public List<String> owned() {
        return List.copyOf(owned);
    }

    public long reapedTotal() {
        return reaped.get();
    }

    /** Waits for pending removals, then removes whatever is still ours. */
    @Override
    public void close() {
        remover.shutdown();
        try {
            remover.awaitTermination(DOCKER_COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (String name : List.copyOf(owned)) {
            removeNow(name);
        }
    }
}
