package dev.compilerd.modules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.compilerd.compile.ManualTicker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskCacheTest {
    @TempDir
    Path parent;
    private final ManualTicker ticker = new ManualTicker();
    private DiskCache cache;

    @AfterEach
    void close() {
        if (cache != null) {
            cache.close();
        }
    }

    @Test
    void keepsAVersionsFilesUntilEvictedAndListsOnlyForTheirTtl() throws IOException {
        cache = new DiskCache(parent, 1 << 20, ticker);
        cache.put("m/@v/v1.0.0.zip", 200, bytes("zip"), DiskCache.FOREVER);
        cache.put("m/@v/list", 200, bytes("v1.0.0\n"), Duration.ofMinutes(5));

        ticker.advance(Duration.ofMinutes(5).minusNanos(1));
        assertThat(cache.get("m/@v/list").body()).isEqualTo(bytes("v1.0.0\n"));
        ticker.advance(Duration.ofNanos(1));
        assertThat(cache.get("m/@v/list")).isNull();
        ticker.advance(Duration.ofDays(365));
        assertThat(cache.get("m/@v/v1.0.0.zip").body()).isEqualTo(bytes("zip"));
        assertThat(cache.entries()).isEqualTo(1);
        assertThat(files()).hasSize(1);
    }

    @Test
    void evictsTheLeastRecentlyUsedFirstWhenTheBytesRunOut() throws IOException {
        cache = new DiskCache(parent, 3 * DiskCache.BLOCK_BYTES, ticker);
        cache.put("a", 200, new byte[4000], DiskCache.FOREVER);
        cache.put("b", 200, new byte[4000], DiskCache.FOREVER);
        cache.put("c", 200, new byte[4000], DiskCache.FOREVER);
        assertThat(cache.get("a")).isNotNull(); // a is now the most recently used; b the least

        cache.put("d", 200, new byte[4000], DiskCache.FOREVER);

        assertThat(cache.get("b")).isNull();
        assertThat(cache.get("a")).isNotNull();
        assertThat(cache.get("c")).isNotNull();
        assertThat(cache.get("d")).isNotNull();
        assertThat(cache.bytes()).isEqualTo(3 * DiskCache.BLOCK_BYTES);
        assertThat(files()).hasSize(3);
    }

    @Test
    void everyFileWeighsAtLeastOneDiskBlockAndAFileOverTheBoundIsNotKept() throws IOException {
        cache = new DiskCache(parent, 2 * DiskCache.BLOCK_BYTES, ticker);
        cache.put("tiny", 200, new byte[1], DiskCache.FOREVER);
        assertThat(cache.bytes()).isEqualTo(DiskCache.BLOCK_BYTES);

        cache.put("huge", 200, new byte[(int) (2 * DiskCache.BLOCK_BYTES + 1)], DiskCache.FOREVER);

        assertThat(cache.get("huge")).isNull();
        assertThat(cache.get("tiny")).isNotNull();
        assertThat(files()).hasSize(1);
    }

    @Test
    void aFileDamagedOnDiskIsDroppedNotServed() throws IOException {
        cache = new DiskCache(parent, 1 << 20, ticker);
        cache.put("m/@v/v1.0.0.mod", 200, bytes("module m\n"), DiskCache.FOREVER);
        Path file = files().get(0);

        Files.writeString(file, "module evil\n"); // same size, other content

        assertThat(cache.get("m/@v/v1.0.0.mod")).isNull();
        assertThat(cache.entries()).isZero();
        assertThat(file).doesNotExist();
    }

    @Test
    void aTruncatedOrMissingFileIsAMiss() throws IOException {
        cache = new DiskCache(parent, 1 << 20, ticker);
        cache.put("a", 200, bytes("aaaa"), DiskCache.FOREVER);
        cache.put("b", 200, bytes("bbbb"), DiskCache.FOREVER);
        List<Path> both = files();
        Files.write(both.get(0), new byte[0]);
        Files.delete(both.get(1));

        assertThat(cache.get("a")).isNull();
        assertThat(cache.get("b")).isNull();
        assertThat(cache.entries()).isZero();
        assertThat(cache.bytes()).isZero();
    }

    @Test
    void aForeignFileInTheDirectoryIsNeverServed() throws IOException {
        cache = new DiskCache(parent, 1 << 20, ticker);
        Files.writeString(cache.directory().resolve("m"), "planted");
        Files.writeString(parent.resolve("m"), "planted");

        assertThat(cache.get("m")).isNull();
        assertThat(cache.directory().getParent()).isEqualTo(parent);
        assertThat(Files.getPosixFilePermissions(cache.directory()))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                        PosixFilePermission.OWNER_EXECUTE);
    }

    @Test
    void keepsTheStatusOfANotFoundAnswer() throws IOException {
        cache = new DiskCache(parent, 1 << 20, ticker);
        cache.put("m/@v/list", 404, bytes("not found: m"), Duration.ofMinutes(1));

        assertThat(cache.get("m/@v/list").status()).isEqualTo(404);
    }

    @Test
    void aNewerAnswerReplacesTheOlderOneAndItsFile() throws IOException {
        cache = new DiskCache(parent, 1 << 20, ticker);
        cache.put("m/@latest", 200, bytes("{\"Version\":\"v1.0.0\"}"), Duration.ofMinutes(5));
        cache.put("m/@latest", 200, bytes("{\"Version\":\"v1.1.0\"}"), Duration.ofMinutes(5));

        assertThat(cache.get("m/@latest").body()).isEqualTo(bytes("{\"Version\":\"v1.1.0\"}"));
        assertThat(files()).hasSize(1);
        assertThat(cache.bytes()).isEqualTo(DiskCache.BLOCK_BYTES);
    }

    @Test
    void twoServersOnOneHostHaveTheirOwnDirectoriesAndCloseRemovesOnlyItsOwn() throws IOException {
        cache = new DiskCache(parent, 1 << 20, ticker);
        try (DiskCache other = new DiskCache(parent, 1 << 20, ticker)) {
            other.put("k", 200, bytes("other"), DiskCache.FOREVER);
            cache.put("k", 200, bytes("mine"), DiskCache.FOREVER);
            assertThat(other.directory()).isNotEqualTo(cache.directory());
            assertThat(cache.get("k").body()).isEqualTo(bytes("mine"));
        }
        assertThat(cache.get("k").body()).isEqualTo(bytes("mine"));
        try (Stream<Path> left = Files.list(parent)) {
            assertThat(left.toList()).containsExactly(cache.directory());
        }
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(cache.directory())) {
            return s.sorted().toList();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
