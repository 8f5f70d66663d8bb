package dev.compilerd.sandbox;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A normalized program: its files by name (sorted, so equal programs compare and hash equal), whether to vet, and
 * whether to run its benchmarks on the real clock (null: run it as the playground does, on fake time).
 */
public record Program(Map<String, String> files, boolean vet, Bench bench) {
    public Program {
        files = Collections.unmodifiableSortedMap(new TreeMap<>(files));
    }

    /** A program run as the playground runs it. */
    public Program(Map<String, String> files, boolean vet) {
        this(files, vet, null);
    }

    /** A single-file program, the common case. */
    public static Program of(String source) {
        return new Program(Map.of("prog.go", source), false);
    }
}
