package dev.compilerd.sandbox;

import dev.compilerd.config.Config;
import dev.compilerd.config.SandboxLimits;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Builds every command compilerd runs through its docker wrapper (vm/compilerd-docker), which owns the isolation
 * flags: the server chooses only names, owner labels, the pinned image and the limits. Immutable.
 */
public final class DockerCommand {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final List<String> wrapper;
    private final String runtime;
    private final String owner;
    private final String instance;
    private final SandboxLimits limits;

    /**
     * @param wrapper  the wrapper command, e.g. sudo -n /usr/local/libexec/compilerd-docker
     * @param owner    the container-name prefix, also the owner label
     * @param instance this process's {@link Instance} id, so the reaper spares the containers of live servers
     */
    public DockerCommand(List<String> wrapper, String runtime, String owner, String instance, SandboxLimits limits) {
        this.wrapper = List.copyOf(wrapper);
        this.runtime = runtime;
        this.owner = owner;
        this.instance = instance;
        this.limits = limits;
    }

    public static DockerCommand from(Config c, String instance) {
        return new DockerCommand(c.sandbox().docker(), c.sandbox().runtime(), c.sandbox().containerPrefix(), instance,
                c.limits());
    }

    /** A fresh, unguessable container name carrying our prefix. */
    public String newName() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return owner + "-" + HexFormat.of().formatHex(b);
    }

    /**
     * docker run -i of one sandbox container from exactly this image id, never a tag that can move (the wrapper adds
     * gVisor, no network, read-only, dropped caps).
     */
    public List<String> run(String name, String imageId) {
        return with("run", "--name", name, "--owner", owner, "--instance", instance, "--image", imageId,
                "--memory", Long.toString(limits.memoryBytes()), "--pids", Integer.toString(limits.pids()),
                "--nproc", Integer.toString(limits.nproc()), "--cpus", Double.toString(limits.cpus()),
                "--tmpfs", Long.toString(limits.tmpfsBytes()), "--nofile", Integer.toString(limits.nofile()),
                "--runtime", runtime);
    }

    /** Removes containers whatever their state; the only reliable way to stop one (killing the CLI is not). */
    public List<String> remove(String... names) {
        List<String> a = with("rm");
        a.addAll(List.of(names));
        return a;
    }

    /** "NAME INSTANCE" of every container, running or not, that carries our owner label. */
    public List<String> listOurs() {
        return with("ps", owner);
    }

    /** The runtimes Docker knows, as JSON. */
    public List<String> runtimes() {
        return with("runtimes");
    }

    /** The content id of a local image (a tag or a repo@sha256: reference), or a failure when it is missing. */
    public List<String> imageId(String image) {
        return with("image-id", image);
    }

    /** The wrapper command as the operator wrote it, for messages. */
    public String command() {
        return String.join(" ", wrapper);
    }

    public String runtime() {
        return runtime;
    }

    public String instance() {
        return instance;
    }

    private List<String> with(String... args) {
        List<String> a = new ArrayList<>(wrapper);
        a.addAll(List.of(args));
        return a;
    }
}
