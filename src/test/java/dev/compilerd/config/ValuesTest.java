package dev.compilerd.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValuesTest {

    @Test
    void durationsInEachUnitParse() {
        assertThat(Values.duration("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(Values.duration("30m")).isEqualTo(Duration.ofMinutes(30));
        assertThat(Values.duration("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Values.duration("250ms")).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void combinedDurationAddsItsParts() {
        assertThat(Values.duration("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Values.duration("1m30s500ms")).isEqualTo(Duration.ofMillis(90_500));
    }

    @Test
    void bareZeroIsTheZeroDuration() {
        assertThat(Values.duration("0")).isZero();
        assertThat(Values.duration("0s")).isZero();
    }

    @Test
    void durationIgnoresSurroundingWhitespace() {
        assertThat(Values.duration(" 5s\n")).isEqualTo(Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "s", "5x", "1.5s", "-5s", "5s junk", "5 s", "1m5", "1d", "5S"})
    void malformedDurationIsRejectedWithTheTextAndAnExample(String text) {
        assertThatThrownBy(() -> Values.duration(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'" + text + "' is not a duration (write it like 500ms, 5s, 30m or 1h)");
    }

    @Test
    void sizesInBinaryUnitsParse() {
        assertThat(Values.bytes("64KiB")).isEqualTo(64 * 1024);
        assertThat(Values.bytes("512m")).isEqualTo(512L * 1024 * 1024);
        assertThat(Values.bytes("512MiB")).isEqualTo(512L * 1024 * 1024);
        assertThat(Values.bytes("2g")).isEqualTo(2L * 1024 * 1024 * 1024);
        assertThat(Values.bytes("64kb")).isEqualTo(64 * 1024);
    }

    @Test
    void plainSizeIsBytes() {
        assertThat(Values.bytes("65536")).isEqualTo(65536);
        assertThat(Values.bytes("100b")).isEqualTo(100);
        assertThat(Values.bytes("0")).isZero();
    }

    @Test
    void sizeMayHaveSpaceBeforeItsUnit() {
        assertThat(Values.bytes(" 64 KiB ")).isEqualTo(64 * 1024);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "64x", "-1", "1.5m", "64TiB", "KiB"})
    void malformedSizeIsRejectedWithTheTextAndAnExample(String text) {
        assertThatThrownBy(() -> Values.bytes(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'" + text + "' is not a size (write it like 65536, 64KiB or 512MiB)");
    }

    @Test
    void sizeThatOverflowsALongIsRejectedInsteadOfWrappingAround() {
        assertThatThrownBy(() -> Values.bytes("17179869184g")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void durationFormatsInTheLargestWholeUnit() {
        assertThat(Values.format(Duration.ZERO)).isEqualTo("0");
        assertThat(Values.format(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(Values.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Values.format(Duration.ofSeconds(5))).isEqualTo("5s");
        assertThat(Values.format(Duration.ofSeconds(61))).isEqualTo("61s");
        assertThat(Values.format(Duration.ofMinutes(30))).isEqualTo("30m");
        assertThat(Values.format(Duration.ofMinutes(90))).isEqualTo("90m");
        assertThat(Values.format(Duration.ofHours(1))).isEqualTo("1h");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "250ms", "1500ms", "5s", "61s", "30m", "1h30m", "1h", "25h"})
    void formattedDurationParsesBackToTheSameDuration(String text) {
        Duration d = Values.duration(text);
        assertThat(Values.duration(Values.format(d))).isEqualTo(d);
    }

    @Test
    void sizeFormatsInTheLargestBinaryUnitThatDividesIt() {
        assertThat(Values.formatBytes(64 * 1024)).isEqualTo("64KiB");
        assertThat(Values.formatBytes(512L << 20)).isEqualTo("512MiB");
        assertThat(Values.formatBytes(1L << 30)).isEqualTo("1GiB");
        assertThat(Values.formatBytes(1536L << 20)).isEqualTo("1536MiB");
        assertThat(Values.formatBytes(1000)).isEqualTo("1000");
        assertThat(Values.formatBytes(1536)).isEqualTo("1536");
        assertThat(Values.formatBytes(0)).isEqualTo("0");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 1000, 1024, 1536, 65536, 512L << 20, 3L << 30})
    void formattedSizeParsesBackToTheSameSize(long n) {
        assertThat(Values.bytes(Values.formatBytes(n))).isEqualTo(n);
    }
}
