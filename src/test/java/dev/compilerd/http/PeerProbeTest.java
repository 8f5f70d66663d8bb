package dev.compilerd.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class PeerProbeTest {
    @Test
    void ipv4PeerMatchesBothTheTcpAndTheMappedTcp6Forms() throws Exception {
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0x1F90);
        assertThat(PeerProbe.kernelForms(a)).containsExactly("0100007F:1F90",
                "0000000000000000FFFF00000100007F:1F90");
    }

    @Test
    void ipv6PeerUsesLittleEndianWords() throws Exception {
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("::1"), 80);
        assertThat(PeerProbe.kernelForms(a)).containsExactly("00000000000000000000000001000000:0050");
    }
}
