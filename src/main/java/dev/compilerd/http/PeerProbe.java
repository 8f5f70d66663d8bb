package dev.compilerd.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Tells whether the client of an idle HTTP/1 connection has closed it, without reading from the socket: Jetty
 * does not read while a handler runs, so a queued request would otherwise never notice. Reads the kernel's TCP
 * table (Linux); a closed peer leaves our side in CLOSE_WAIT. Anywhere else it answers "still there".
 */
final class PeerProbe {
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    private static final String CLOSE_WAIT = "08";
    private static final String ESTABLISHED = "01";

    private PeerProbe() {}

    /**
     * The remote address as /proc/net/tcp{,6} print it: each 32-bit word of the address in host (little-endian)
     * byte order, then the port; an IPv4 peer of a dual-stack socket appears as ::ffff:a.b.c.d in tcp6.
     */
    static List<String> kernelForms(InetSocketAddress a) {
        byte[] ip = a.getAddress().getAddress();
        String port = String.format(Locale.ROOT, ":%04X", a.getPort());
        if (ip.length == 4) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(ip, 0, mapped, 12, 4);
            return List.of(words(ip) + port, words(mapped) + port);
        }
        return List.of(words(ip) + port);
    }

    private static String words(byte[] ip) {
        StringBuilder b = new StringBuilder();
        for (int w = 0; w < ip.length; w += 4) {
            for (int k = 3; k >= 0; k--) {
                b.append(String.format(Locale.ROOT, "%02X", ip[w + k] & 0xff));
            }
        }
        return b.toString();
    }

    /** True when the kernel shows the connection half-closed by the peer, or no longer knows it. */
    static boolean peerClosed(SocketAddress local, SocketAddress remote) {
        if (!(local instanceof InetSocketAddress l) || !(remote instanceof InetSocketAddress r)) {
            return false;
        }
        String localPort = String.format(Locale.ROOT, ":%04X", l.getPort());
        List<String> remotes = kernelForms(r);
        boolean seen = false;
        boolean readable = false;
        for (Path table : TABLES) {
            try (var lines = Files.lines(table)) {
                for (String line : (Iterable<String>) lines.skip(1)::iterator) {
                    String[] f = line.trim().split("\\s+", 5);
                    if (f.length < 4 || !f[1].endsWith(localPort) || !remotes.contains(f[2])) {
                        continue;
                    }
                    seen = true;
                    if (f[3].equals(ESTABLISHED)) {
                        return false;
                    }
                    if (f[3].equals(CLOSE_WAIT)) {
                        return true;
                    }
                }
                readable = true;
            } catch (IOException | RuntimeException e) {
                // Not Linux, or no /proc: we cannot tell, so the client is assumed present.
            }
        }
        return readable && !seen;
    }
}
