package dev.compilerd.logging;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Context;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;

/** The two encoders the shipped logback configurations give the request appender, started, for tests. */
final class TestEncoders {
    private TestEncoders() {}

    /** logback.xml's: the text pattern. */
    static PatternLayoutEncoder text(Context context) {
        PatternLayoutEncoder e = new PatternLayoutEncoder();
        e.setContext(context);
        e.setPattern(DirectLines.TEXT_PATTERN);
        e.start();
        return e;
    }

    /** logback-json.xml's: JsonLayout. */
    static LayoutWrappingEncoder<ILoggingEvent> json(Context context) {
        JsonLayout layout = new JsonLayout();
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> e = new LayoutWrappingEncoder<>();
        e.setContext(context);
        e.setLayout(layout);
        e.start();
        return e;
    }
}
