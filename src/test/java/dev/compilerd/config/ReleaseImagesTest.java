package dev.compilerd.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReleaseImagesTest {
    private static final String DIGEST = "sha256:" + "a".repeat(64);
    private static final String OTHER = "sha256:" + "b".repeat(64);

    @Test
    void theDefaultIsEveryBuiltReleaseAsStartupShTagsItNewestFirst() throws ConfigException {
        assertThat(ReleaseImages.builtReleases()).containsExactly("1.27", "1.26");
        assertThat(ReleaseImages.parse(ReleaseImages.defaultSpec())).containsExactly(
                new ReleaseImage("go1.27", "compilerd/playground:go1.27"),
                new ReleaseImage("go1.26", "compilerd/playground:go1.26"));
    }

    @Test
    void aSpecNamesReleasesOrLeavesTheNameToTheImage() throws ConfigException {
        assertThat(ReleaseImages.parse("go1.27=a:1, b:2")).containsExactly(new ReleaseImage("go1.27", "a:1"),
                new ReleaseImage("", "b:2"));
    }

    @Test
    void badSpecsAreRefusedWithTheEntry() {
        assertThatThrownBy(() -> ReleaseImages.parse("1.27=a")).hasMessageContaining("named like go1.27, not '1.27'");
        assertThatThrownBy(() -> ReleaseImages.parse("go1.27=a,go1.27=b")).hasMessage("--go names go1.27 twice");
        assertThatThrownBy(() -> ReleaseImages.parse("go1.27=")).hasMessage("--go entry 'go1.27=' names no image");
        assertThatThrownBy(() -> ReleaseImages.parse(" , ")).hasMessage("--go names no Go release");
    }

    @Test
    void aLockNamesEachReleaseByDigestAndReplacesTheFlag(@TempDir Path dir) throws Exception {
        Path lock = dir.resolve("images.lock");
        Files.writeString(lock, "# built by scripts/release-images.sh\ngo1.27 r.example/compilerd/playground@" + DIGEST
                + "\n\ngo1.26 r.example/compilerd/playground@" + OTHER + "  # previous\n");

        Config c = new ConfigParser(Map.of()).parse("--images", lock.toString(), "--go", "go1.20=ignored");

        assertThat(c.sandbox().releases()).containsExactly(
                new ReleaseImage("go1.27", "r.example/compilerd/playground@" + DIGEST),
                new ReleaseImage("go1.26", "r.example/compilerd/playground@" + OTHER));
    }

    @Test
    void aVmNamesItsLockInTheEnvironmentAsVmInstallUnitShWritesIt(@TempDir Path dir) throws Exception {
        Path lock = dir.resolve("images.lock");
        Files.writeString(lock, "go1.27 r.example/compilerd/playground@" + DIGEST + "\n");

        Config c = new ConfigParser(Map.of("COMPILERD_IMAGES", lock.toString())).parse();

        assertThat(c.sandbox().releases()).containsExactly(
                new ReleaseImage("go1.27", "r.example/compilerd/playground@" + DIGEST));
    }

    @Test
    void aLockLineThatIsNotByDigestOrTheMissingFileIsRefused(@TempDir Path dir) throws Exception {
        Path lock = dir.resolve("images.lock");
        Files.writeString(lock, "go1.27 compilerd/playground:go1.27\n");

        assertThatThrownBy(() -> ReleaseImages.readLock(lock)).hasMessageContaining("line 1 must be 'goX.Y");
        assertThatThrownBy(() -> ReleaseImages.readLock(dir.resolve("none"))).hasMessageContaining("cannot read");
        Files.writeString(lock, "");
        assertThatThrownBy(() -> ReleaseImages.readLock(lock)).hasMessageContaining("names no Go release");
    }
}
