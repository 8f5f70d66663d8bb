package dev.compilerd.sandbox;

import dev.compilerd.config.Config;
import dev.compilerd.config.SandboxLimits;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Builds every docker command line compilerd runs, so the isolation flags live in exactly one place. */
public final class DockerCommand {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final List<String> docker;
    private final String image;
    private final String runtime;
    private final String prefix;
    private final String label;
    private final SandboxLimits limits;

    public DockerCommand(List<String> docker, String image, String runtime, String prefix, String label,
                         SandboxLimits limits) {
        this.docker = List.copyOf(docker);
        this.image = image;
        this.runtime = runtime;
        this.prefix = prefix;
        this.label = label;
        this.limits = limits;
    }

    /** The same commands, but containers start from exactly this image id, not from a tag that can move. */
    public DockerCommand pinnedTo(String imageId) {
        return new DockerCommand(docker, imageId, runtime, prefix, label, limits);
    }

    public static DockerCommand from(Config c) {
        return new DockerCommand(c.docker(), c.image(), c.runtime(), c.containerPrefix(), c.ownerLabel(), c.limits());
    }

    /** A fresh, unguessable container name carrying our prefix. */
    public String newName() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return prefix + "-" + HexFormat.of().formatHex(b);
    }

    /** docker run for one sandboxed program: gVisor, no network, every resource bounded, nothing writable but /tmp. */
    public List<String> run(String name) {
        List<String> a = with("run", "-i", "--rm", "--name", name, "--label", label,
                "--runtime=" + runtime, "--network=none",
                "--memory=" + limits.memoryBytes() + "b", "--memory-swap=" + limits.memoryBytes() + "b",
                "--pids-limit=" + limits.pids(), "--cpus=" + limits.cpus(),
                "--read-only", "--tmpfs", "/tmp:rw,exec,nosuid,nodev,size=" + limits.tmpfsBytes(),
                "--cap-drop=ALL", "--security-opt=no-new-privileges", "--user", "65534:65534",
                "--log-driver=none");
        a.add(image);
        return a;
    }

    /** Removes a container whatever its state; the only reliable way to stop one (killing the CLI is not). */
    public List<String> remove(String name) {
        return with("rm", "-f", name);
    }

    /** Names of every container, running or not, that carries our label. */
    public List<String> listOurs() {
        return with("ps", "-a", "--filter", "label=" + label, "--format", "{{.Names}}");
    }

    /** The runtimes Docker knows, as JSON. */
    public List<String> runtimes() {
        return with("info", "--format", "{{json .Runtimes}}");
    }

    /** The image's content id, or a failure when it is missing. */
    public List<String> imageId() {
        return with("image", "inspect", "--format", "{{.Id}}", image);
    }

    /** The docker command prefix as the operator wrote it, for messages. */
    public String prefix() {
        return String.join(" ", docker);
    }

    public String image() {
        return image;
    }

    public String runtime() {
        return runtime;
    }

    private List<String> with(String... args) {
        List<String> a = new ArrayList<>(docker);
        a.addAll(List.of(args));
        return a;
    }
}
