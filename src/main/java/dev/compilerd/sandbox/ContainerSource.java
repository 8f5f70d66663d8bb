package dev.compilerd.sandbox;

/** Hands out started, ready containers: fresh ones, or from a warm pool. */
interface ContainerSource extends PoolView, AutoCloseable {
    /** A ready container that has run nothing yet; the caller owns it from here. */
    Container acquire() throws SandboxException, InterruptedException;

    @Override
    void close();
}
