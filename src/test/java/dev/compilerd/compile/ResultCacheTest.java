package dev.compilerd.compile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.compilerd.sandbox.Program;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Guava splits maximumWeight evenly over its segments (4 here, see concurrencyLevel) and evicts within a segment
 * synchronously on put, so the bounds below are hard upper bounds: the cache may hold less than the limit, never more.
 */
class ResultCacheTest {
    private static final String IMAGE = "sha256:image-a";
    private static final Program HELLO = new Program(Map.of("prog.go", "package main"), false);

    private final ResultCache cache = new ResultCache(100, 1 << 20);

    @Test
    void keyIsStableForEqualPrograms() {
        Map<String, String> ab = new LinkedHashMap<>();
        ab.put("a.go", "package main");
        ab.put("b.go", "package main");
        Map<String, String> ba = new LinkedHashMap<>();
        ba.put("b.go", "package main");
        ba.put("a.go", "package main");

        assertThat(cache.key(IMAGE, new Program(ab, true))).isEqualTo(cache.key(IMAGE, new Program(ba, true)));
        assertThat(cache.key(IMAGE, HELLO)).isEqualTo(new ResultCache(1, 1).key(IMAGE, HELLO));
    }

    @Test
    void keyIsHexSha256() {
        assertThat(cache.key(IMAGE, HELLO)).matches("[0-9a-f]{64}");
    }

    @Test
    void keyDiffersForOtherFileContent() {
        assertThat(cache.key(IMAGE, Program.of("package main // 2"))).isNotEqualTo(cache.key(IMAGE, Program.of("package main // 1")));
    }

    @Test
    void keyDiffersForOtherFileName() {
        assertThat(cache.key(IMAGE, new Program(Map.of("main.go", "package main"), false))).isNotEqualTo(cache.key(IMAGE, HELLO));
    }

    @Test
    void keyDiffersWhenTheBoundaryBetweenNameAndContentMoves() {
        Program a = new Program(Map.of("a.go", "Xpackage main"), false);
        Program b = new Program(Map.of("a.goX", "package main"), false);

        assertThat(cache.key(IMAGE, a)).isNotEqualTo(cache.key(IMAGE, b));
    }

    @Test
    void keyDiffersForTheVetFlag() {
        assertThat(cache.key(IMAGE, new Program(HELLO.files(), true))).isNotEqualTo(cache.key(IMAGE, HELLO));
    }

    @Test
    void keyDiffersForAnotherImage() {
        assertThat(cache.key("sha256:image-b", HELLO)).isNotEqualTo(cache.key(IMAGE, HELLO));
    }

    @Test
    void storedResponseIsReturnedAndCountedAsAHit() {
        String key = cache.key(IMAGE, HELLO);
        assertThat(cache.get(key)).isNull();

        cache.put(key, new byte[] {1, 2, 3});

        assertThat(cache.get(key)).containsExactly(1, 2, 3);
        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.bytes()).isEqualTo(3);
        assertThat(cache.hitCount()).isEqualTo(1);
        assertThat(cache.missCount()).isEqualTo(1);
    }

    @Test
    void aRequestsExactBytesFindTheResponseTheyGotByContentNotIdentity() {
        cache.rememberRequest("raw\0package main".getBytes(), new byte[] {7});

        assertThat(cache.getByRequest("raw\0package main".getBytes())).containsExactly(7);
        assertThat(cache.getByRequest("raw\0package mai".getBytes())).isNull();
        assertThat(cache.hitCount()).isEqualTo(1);
        assertThat(cache.missCount()).isZero(); // a memo miss is not a miss: the cache is asked next
    }

    @Test
    void theRequestMemoHoldsAtMostItsShareOfTheBytes() {
        ResultCache c = new ResultCache(1000, 8 * 1000); // memo: 1000 bytes, each entry weighs >= 8
        for (int i = 0; i < 100; i++) {
            c.rememberRequest(("request " + i + " " + "x".repeat(40)).getBytes(), new byte[50]);
        }
        long kept = java.util.stream.IntStream.range(0, 100)
                .filter(i -> c.getByRequest(("request " + i + " " + "x".repeat(40)).getBytes()) != null).count();
        assertThat(kept).isBetween(1L, 1000L / 100);
    }

    @Test
    void weightIsNeverBelowTheBytesPerEntryShare() {
        ResultCache c = new ResultCache(10, 10_000);

        assertThat(c.weight(0)).isEqualTo(1000);
        assertThat(c.weight(1)).isEqualTo(1000);
        assertThat(c.weight(1000)).isEqualTo(1000);
        assertThat(c.weight(4321)).isEqualTo(4321);
        assertThat(c.weight(1L << 40)).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void tinyEntriesStillRespectTheEntryBound() {
        ResultCache c = new ResultCache(10, 10_000);

        for (int i = 0; i < 100; i++) {
            c.put("k" + i, new byte[] {1});
        }

        assertThat(c.size()).isBetween(1L, 10L);
    }

    @Test
    void entryBoundHoldsWhenBytesAreNotAMultipleOfEntries() {
        ResultCache c = new ResultCache(4, 10); // maxWeight 10 < 20: Guava uses a single segment

        for (int i = 0; i < 100; i++) {
            c.put("k" + i, new byte[] {1});
        }

        assertThat(c.size()).isLessThanOrEqualTo(4);
    }

    @Test
    void largeEntriesRespectTheByteBound() {
        ResultCache c = new ResultCache(1000, 10_000);

        for (int i = 0; i < 100; i++) {
            c.put("k" + i, new byte[1000]);
        }

        assertThat(c.bytes()).isBetween(1000L, 10_000L);
        assertThat(c.size()).isLessThanOrEqualTo(10);
    }

    @Test
    void responseLargerThanTheWholeCacheIsNotKept() {
        ResultCache c = new ResultCache(1000, 10_000);

        c.put("huge", new byte[20_000]);

        assertThat(c.get("huge")).isNull();
        assertThat(c.bytes()).isZero();
    }

    @Test
    void zeroEntriesTurnsCachingOff() {
        ResultCache off = new ResultCache(0, 1 << 20);

        off.put("k", new byte[] {1});

        off.rememberRequest(new byte[] {1}, new byte[] {1});

        assertThat(off.get("k")).isNull();
        assertThat(off.getByRequest(new byte[] {1})).isNull();
        assertThat(off.size()).isZero();
    }
}
