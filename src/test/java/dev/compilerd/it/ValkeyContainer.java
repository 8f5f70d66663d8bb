package dev.compilerd.it;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import java.io.IOException;
import java.net.ServerSocket;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * A Valkey server (the Redis protocol Memorystore speaks) on a fixed loopback port, built from the local Debian
 * base, so a test can pause it (a hung store), stop it (a dead one) and start it again on the same address.
 */
final class ValkeyContainer extends GenericContainer<ValkeyContainer> {
    final int port;

    ValkeyContainer() throws IOException {
        super(new ImageFromDockerfile("compilerd/valkey-test", false)
                .withFileFromClasspath("Dockerfile", "valkey/Dockerfile"));
        this.port = freePort();
        withExposedPorts(6379);
        withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withRuntime("runc").withPortBindings(
                new PortBinding(Ports.Binding.bindIpAndPort("127.0.0.1", port), ExposedPort.tcp(6379))));
        waitingFor(Wait.forLogMessage(".*Ready to accept connections.*", 1));
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Freezes the server: connections stay open, nothing answers. */
    void pause() {
        getDockerClient().pauseContainerCmd(getContainerId()).exec();
    }

    void unpause() {
        getDockerClient().unpauseContainerCmd(getContainerId()).exec();
    }

    /** Stops the server (connections refused) without removing it, so it comes back on the same port. */
    void kill() {
        getDockerClient().stopContainerCmd(getContainerId()).withTimeout(0).exec();
    }

    void restart() {
        getDockerClient().startContainerCmd(getContainerId()).exec();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
