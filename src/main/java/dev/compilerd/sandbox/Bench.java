package dev.compilerd.sandbox;

/**
 * A request to run a program's benchmarks on the real clock instead of its tests on the fake one: the -test.bench
 * pattern and the -test.run pattern (what else runs), as the client wrote them or "" for the runner's defaults
 * ("." and "^$": every benchmark, no test). The runner checks them as Go regular expressions.
 */
public record Bench(String pattern, String run) {
    public Bench {
        pattern = pattern == null ? "" : pattern;
        run = run == null ? "" : run;
    }

    /** Every benchmark, no test. */
    public static final Bench ALL = new Bench("", "");
}
