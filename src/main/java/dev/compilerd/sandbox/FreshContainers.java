package dev.compilerd.sandbox;

import java.time.Duration;

/** Starts a new container per request (--pool 0): the slow path, and the baseline the pool is measured against. */
final class FreshContainers implements ContainerSource {
    private final Containers containers;
    private final Duration readyTimeout;

    FreshContainers(Containers containers, Duration readyTimeout) {
        this.containers = containers;
        this.readyTimeout = readyTimeout;
    }

    @Override
    public Container acquire() throws SandboxException, InterruptedException {
        Container c = containers.start();
        try {
            c.awaitReady(readyTimeout);
            return c;
        } catch (SandboxException | InterruptedException e) {
            containers.removeAsync(c.name);
            throw e;
        }
    }

    @Override
    public void close() {}
}
