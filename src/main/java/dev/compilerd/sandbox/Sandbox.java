package dev.compilerd.sandbox;

/** Runs one program in isolation; the boundary handler tests replace with a fake. Implementations are thread-safe. */
public interface Sandbox {
    /** Runs the program to completion or deadline; the user program's outcome is data, infrastructure failure throws. */
    RunResult run(Program program) throws SandboxException, InterruptedException;

    /** Identifies the sandbox image, so a rebuilt image never serves results cached from the old one. */
    String imageId();

    /** What the image offers programs (GET /version). */
    SandboxInfo info();

    /** Null while containers start fine; otherwise why the last start failed (health checks then fail). */
    default String failure() {
        return null;
    }
}
