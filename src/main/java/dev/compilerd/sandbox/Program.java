package dev.compilerd.sandbox;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A normalized program: its files by name (sorted, so equal programs compare and hash equal), whether to vet, whether
 * to run its benchmarks on the real clock (null: run it as the playground does, on fake time), and whether to format
 * its files instead of building and running it.
 */
public record Program(Map<String, String> files, boolean vet, Bench bench, Format format) {
    /** What to do with the files: build and run them, or format them as the playground's /fmt does. */
    public enum Format {
        /** Build, vet when asked, and run. */
        NONE,
        /** gofmt each .go file and go.mod. */
        GOFMT,
        /** goimports: gofmt plus adding and removing imports. */
        GOIMPORTS
    }

    public Program {
        files = Collections.unmodifiableSortedMap(new TreeMap<>(files));
        format = format == null ? Format.NONE : format;
    }

    /** A program run as the playground runs it. */
    public Program(Map<String, String> files, boolean vet) {
        this(files, vet, null, Format.NONE);
    }

    /** A program run, its benchmarks on the real clock when {@code bench} is set. */
    public Program(Map<String, String> files, boolean vet, Bench bench) {
        this(files, vet, bench, Format.NONE);
    }

    /** A program to build and run ({@link Format#NONE}) or to format. */
    public Program(Map<String, String> files, boolean vet, Format format) {
        this(files, vet, null, format);
    }

    /** A single-file program, the common case. */
    public static Program of(String source) {
        return new Program(Map.of("prog.go", source), false);
    }
}
