package dev.compilerd.sandbox;

import java.time.Duration;

/** Starts a new container per request (--pool 0): the slow path, and the baseline the pool is measured against. */
final class FreshContainers implements ContainerSource {
    private final Containers containers;
    private final String imageId;
    private final Duration readyTimeout;

    FreshContainers(Containers containers, String imageId, Duration readyTimeout) {
        this.containers = containers;
        this.imageId = imageId;
        this.readyTimeout = readyTimeout;
    }

    @Override
    public Container acquire() throws SandboxException, InterruptedException {
        return containers.startReady(imageId, readyTimeout);
    }

    @Override
    public void close() {}
}
