package dev.compilerd.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SandboxImageTest {
    @Test
    void anImagePulledByDigestIsKnownByItOnEveryHostAndALocalOneByItsId() {
        String digest = "sha256:" + "d".repeat(64);
        assertThat(new SandboxImage("127.0.0.1:5000/compilerd/playground@" + digest, "sha256:local").identity())
                .isEqualTo(digest);
        assertThat(new SandboxImage("compilerd/playground:go1.27", "sha256:local").identity()).isEqualTo("sha256:local");
    }
}
