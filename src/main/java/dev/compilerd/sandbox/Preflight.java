package dev.compilerd.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.compilerd.logging.LogText;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fail-closed start: Docker reachable, the runtime registered (and, for gVisor, recent enough), the image
 * present, one container ready. Never falls back to a weaker runtime.
 */
public final class Preflight {
    /** The only runtime compilerd considers a sandbox; any other must be named explicitly and is logged loudly. */
    public static final String SECURE_RUNTIME = "runsc";
    /**
     * The oldest gVisor release served: 20240729 enforces RLIMIT_NPROC and has the systrap platform; December
     * 2022's (Debian 12's own) lets a program that starts 15 processes kill its whole sandbox.
     */
    public static final int MIN_RUNSC_RELEASE = 20240729;
    private static final Pattern RELEASE = Pattern.compile("(20\\d{6})");
    private static final Pattern DEFAULT_PLATFORM = Pattern.compile("-platform string[^\\n]*\\n[^\\n]*\\(default \"(\\w+)\"\\)");
    private static final Logger LOG = LoggerFactory.getLogger(Preflight.class);

    private final DockerCommand docker;
    private final ObjectMapper json;

    public Preflight(DockerCommand docker, ObjectMapper json) {
        this.docker = docker;
        this.json = json;
    }

    /** Checks that Docker runs the configured runtime (and a recent enough gVisor); the message says what to run. */
    public void check(Duration timeout) throws SandboxException {
        Exec.Outcome listed = Exec.run(docker.runtimes(), timeout);
        if (!listed.ok()) {
            throw new SandboxException("Docker is not reachable with '" + docker.command() + "' (exit " + listed.exitCode()
                    + ": " + LogText.escape(listed.stderr().strip()) + "). Run vm/startup.sh as root to install and start it.");
        }
        JsonNode runtimes;
        try {
            runtimes = json.readTree(listed.stdout());
        } catch (IOException e) {
            throw new SandboxException("cannot read docker info output: " + e.getMessage(), e);
        }
        if (runtimes == null || !runtimes.has(docker.runtime())) {
            throw new SandboxException("Docker has no runtime '" + docker.runtime() + "' registered (it knows "
                    + (runtimes == null ? "none" : String.join(", ", names(runtimes))) + "). Refusing to run untrusted"
                    + " code without it. Run vm/startup.sh as root: it installs runsc and registers it in"
                    + " /etc/docker/daemon.json.");
        }
        if (SECURE_RUNTIME.equals(docker.runtime())) {
            checkGvisor(runtimes.get(docker.runtime()), timeout);
        } else {
            LOG.warn("!!! INSECURE: running untrusted programs under runtime '{}' instead of gVisor ({}) because"
                    + " --runtime says so. Never do this on a machine that serves the public. !!!",
                    docker.runtime(), SECURE_RUNTIME);
        }
    }

    /** The local image a reference names; a missing one fails the start with what to run. */
    public SandboxImage image(String reference, Duration timeout) throws SandboxException {
        Exec.Outcome image = Exec.run(docker.imageId(reference), timeout);
        if (!image.ok()) {
            throw new SandboxException("sandbox image '" + reference + "' is missing (" + LogText.escape(
                    image.stderr().strip()) + "). Run vm/startup.sh as root to build it (or, with --images, to pull it).");
        }
        return new SandboxImage(reference, image.stdout().strip());
    }

    /** Logs runsc's release and platform, and refuses a release older than {@link #MIN_RUNSC_RELEASE}. */
    private void checkGvisor(JsonNode runtime, Duration timeout) throws SandboxException {
        String path = runtime.path("path").asText("runsc");
        Exec.Outcome version = Exec.run(List.of(path, "--version"), timeout);
        Matcher m = RELEASE.matcher(version.stdout());
        if (!version.ok() || !m.find()) {
            throw new SandboxException("cannot tell the gVisor release of " + path + " (" + LogText.escape(
                    (version.stdout() + version.stderr()).strip()) + "). Run vm/startup.sh as root to install runsc.");
        }
        int release = Integer.parseInt(m.group(1));
        if (release < MIN_RUNSC_RELEASE) {
            throw new SandboxException("gVisor " + release + " at " + path + " is older than " + MIN_RUNSC_RELEASE
                    + ", the oldest release compilerd trusts. Run vm/startup.sh as root: it installs a current runsc.");
        }
        String platform = platformArg(runtime).orElseGet(() -> defaultPlatform(path, timeout) + " (its default)");
        LOG.info("gVisor: {} release {}, platform {}", path, release, platform);
    }

    private static Optional<String> platformArg(JsonNode runtime) {
        for (JsonNode a : runtime.path("runtimeArgs")) {
            String s = a.asText();
            if (s.startsWith("--platform=")) {
                return Optional.of(s.substring("--platform=".length()));
            }
        }
        return Optional.empty();
    }

    private static String defaultPlatform(String path, Duration timeout) {
        try {
            Exec.Outcome flags = Exec.run(List.of(path, "flags"), timeout);
            Matcher m = DEFAULT_PLATFORM.matcher(flags.stdout() + flags.stderr());
            return m.find() ? m.group(1) : "unknown";
        } catch (SandboxException e) {
            return "unknown";
        }
    }

    /**
     * Starts one sandbox container and asks its runner what the image offers (Go version, modules), proving the
     * runtime really works here; the answer is what GET /version serves.
     */
    public SandboxInfo info(Containers containers, SandboxImage image, RunnerProtocol protocol, Duration timeout)
            throws SandboxException, InterruptedException {
        Container c = containers.startReady(image.id(), timeout);
        boolean exited = false;
        try {
            c.send(protocol.infoRequest());
            exited = c.awaitExit(timeout);
            if (!exited || c.exitCode() != 0) {
                throw new SandboxException("the sandbox runner did not answer an info request" + c.describeExit());
            }
            return protocol.parseInfo(c.result(), c.resultOverflowed());
        } catch (RunnerProtocol.UntrustedResultException e) {
            throw new SandboxException("the sandbox runner's info answer is unreadable (" + e.getMessage()
                    + "): rebuild the image with vm/startup.sh");
        } finally {
            if (exited) {
                containers.gone(c.name); // docker run's --rm has removed it
            } else {
                containers.removeNow(c.name);
            }
        }
    }

    private static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
