package dev.compilerd.sandbox;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.compilerd.logging.LogText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns every container this process starts: registers a name before docker run, sees it removed on every path
 * (docker run's --rm once it exited by itself, docker rm -f otherwise), and reaps labelled containers whose owning process is gone, never those of a live one. Thread-safe.
 */
public final class Containers implements AutoCloseable {
    /** How long one docker rm -f / ps may take before we give up on it. */
    static final Duration DOCKER_COMMAND_TIMEOUT = Duration.ofSeconds(30);
    /** What the docker CLI says when the daemon itself is down: a failure that will pass. */
    private static final Pattern DAEMON_DOWN = Pattern.compile(
            "Cannot connect to the Docker daemon|Is the docker daemon running|error during connect");
    private static final Logger LOG = LoggerFactory.getLogger(Containers.class);

    private final DockerCommand docker;
    private final int maxResultBytes;
    private final Predicate<String> ownerAlive;
    private final Set<String> owned = ConcurrentHashMap.newKeySet();
    /** Owned containers whose docker rm -f failed: the reaper retries them. */
    private final Set<String> unremoved = ConcurrentHashMap.newKeySet();
    private final ExecutorService remover = Executors.newFixedThreadPool(2,
            new ThreadFactoryBuilder().setNameFormat("container-remover-%d").setDaemon(true).build());
    private final AtomicLong reaped = new AtomicLong();
    private volatile String lastStartFailure;

    /** @param ownerAlive whether the process an instance label names still runs ({@link Instance#alive}) */
    public Containers(DockerCommand docker, int maxResultBytes, Predicate<String> ownerAlive) {
        this.docker = docker;
        this.maxResultBytes = maxResultBytes;
        this.ownerAlive = ownerAlive;
    }

    /** Whether docker's message says the daemon is unreachable, which passes (503) rather than breaks (500). */
    static boolean daemonDown(String stderr) {
        return DAEMON_DOWN.matcher(stderr).find();
    }

    /** Starts a container and waits for its runner; removes it and records the failure if it never gets ready. */
    Container startReady(String imageId, Duration timeout) throws SandboxException, InterruptedException {
        String name = docker.newName();
        owned.add(name); // ours, and safe from the reaper, before docker even sees it
        Container c = null;
        try {
            c = Container.start(docker.run(name, imageId), name, maxResultBytes);
            c.awaitReady(timeout);
            lastStartFailure = null;
            return c;
        } catch (SandboxException e) {
            lastStartFailure = e.getMessage();
            removeAsync(name);
            if (c != null && daemonDown(c.stderr())) {
                throw new SandboxUnavailableException(e.getMessage());
            }
            throw e;
        } catch (InterruptedException | RuntimeException e) {
            removeAsync(name);
            throw e;
        }
    }

    /** Why the last container failed to come up, or null if it came up. */
    String lastStartFailure() {
        return lastStartFailure;
    }

    /** docker run returned for this container: with --rm, Docker has already removed it. */
    void gone(String name) {
        owned.remove(name);
    }

    /** Removes the container in the background; it stays owned until docker confirms. */
    void removeAsync(String name) {
        try {
            remover.execute(() -> removeNow(name));
        } catch (RejectedExecutionException e) {
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
            LOG.warn("docker rm -f {} failed (exit {}): {}; the reaper will retry", name, o.exitCode(),
                    LogText.escape(o.stderr().strip()));
        } catch (SandboxException e) {
            LOG.warn("docker rm -f {} failed: {}; the reaper will retry", name, LogText.escape(e.getMessage()));
        }
        unremoved.add(name);
    }

    /**
     * Retries our failed removals, then removes every container with our owner label whose owning process is gone
     * (a crash, a SIGKILL) or that is ours but no longer tracked; returns how many such orphans went.
     */
    public int reapOrphans() throws SandboxException {
        Exec.Outcome o = Exec.run(docker.listOurs(), DOCKER_COMMAND_TIMEOUT);
        if (!o.ok()) {
            throw new SandboxException("docker ps failed (exit " + o.exitCode() + "): " + LogText.escape(o.stderr().strip()));
        }
        List<String> orphans = new ArrayList<>();
        for (String line : o.stdout().split("\n")) {
            String[] f = line.trim().split("\\s+");
            String name = f[0];
            String instance = f.length > 1 ? f[1] : "";
            boolean mine = instance.equals(docker.instance());
            if (!name.isEmpty() && !owned.contains(name) && (mine || !ownerAlive.test(instance))) {
                orphans.add(name);
            }
        }
        // Retried after the orphans are chosen: a name removed now is still in the listing, and is not an orphan.
        for (String name : List.copyOf(unremoved)) {
            removeNow(name);
        }
        int n = 0;
        for (String name : orphans) {
            LOG.info("reaping orphaned container {}", name);
            if (Exec.run(docker.remove(name), DOCKER_COMMAND_TIMEOUT).ok()) {
                n++;
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
