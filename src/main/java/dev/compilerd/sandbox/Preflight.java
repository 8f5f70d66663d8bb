package dev.compilerd.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The fail-closed start: Docker reachable, the runtime registered, the image present, one container ready. */
public final class Preflight {
    /** The only runtime compilerd considers a sandbox; any other must be named explicitly and is logged loudly. */
    public static final String SECURE_RUNTIME = "runsc";
    private static final Logger LOG = LoggerFactory.getLogger(Preflight.class);

    private final DockerCommand docker;
    private final ObjectMapper json;

    public Preflight(DockerCommand docker, ObjectMapper json) {
        this.docker = docker;
        this.json = json;
    }

    /** Checks everything a run needs and returns the image id; the message says what is missing and what to run. */
    public String check(Duration timeout) throws SandboxException {
        Exec.Outcome info = Exec.run(docker.runtimes(), timeout);
        if (!info.ok()) {
            throw new SandboxException("Docker is not reachable with '" + docker.prefix() + "' (exit " + info.exitCode() + ": " + info.stderr().strip()
                    + "). Run vm/startup.sh as root to install and start it.");
        }
        JsonNode runtimes;
        try {
            runtimes = json.readTree(info.stdout());
        } catch (IOException e) {
            throw new SandboxException("cannot read docker info output: " + e.getMessage(), e);
        }
        if (runtimes == null || !runtimes.has(docker.runtime())) {
            throw new SandboxException("Docker has no runtime '" + docker.runtime() + "' registered (it knows "
                    + (runtimes == null ? "none" : iterable(runtimes)) + "). Refusing to run untrusted code without it."
                    + " Run vm/startup.sh as root: it installs runsc and registers it in /etc/docker/daemon.json.");
        }
        if (!SECURE_RUNTIME.equals(docker.runtime())) {
            LOG.warn("!!! INSECURE: running untrusted programs under runtime '{}' instead of gVisor ({}) because"
                    + " --runtime says so. Never do this on a machine that serves the public. !!!",
                    docker.runtime(), SECURE_RUNTIME);
        }
        Exec.Outcome image = Exec.run(docker.imageId(), timeout);
        if (!image.ok()) {
            throw new SandboxException("sandbox image '" + docker.image() + "' is missing (" + image.stderr().strip()
                    + "). Run vm/startup.sh as root to build it.");
        }
        return image.stdout().strip();
    }

    /** Starts one sandbox container and waits for its runner, proving the runtime really works here. */
    public void smoke(Containers containers, Duration timeout) throws SandboxException, InterruptedException {
        Container c = containers.startReady(timeout);
        containers.removeNow(c.name);
    }

    private static String iterable(JsonNode n) {
        StringBuilder b = new StringBuilder();
        n.fieldNames().forEachRemaining(f -> b.append(b.length() == 0 ? "" : ", ").append(f));
        return b.toString();
    }
}
