package dev.compilerd.sandbox;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** A normalized program: its files by name (sorted, so equal programs compare and hash equal) and whether to vet. */
public record Program(Map<String, String> files, boolean vet) {
    public Program {
        files = Collections.unmodifiableSortedMap(new TreeMap<>(files));
    }

    /** A single-file program, the common case. */
    public static Program of(String source) {
        return new Program(Map.of("prog.go", source), false);
    }
}
