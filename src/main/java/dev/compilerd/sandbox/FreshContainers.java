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
        return containers.startReady(readyTimeout);
    }

    @Override
    public void close() {}
}
