package dev.compilerd.compile;

import dev.compilerd.sandbox.RunResult;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maps a formatting run to the playground's /fmt answer: the first file (in the user's order) the formatter could not
 * parse names its error, else the program comes back in the user's order with every formatted file replaced.
 * Stateless.
 */
final class FormatMapper {
    /** The runner's word when the formatter ran out of its (build) time. */
    static final String TIMEOUT = "timeout running gofmt";

    private FormatMapper() {}

    /** A response together with how the request ended. */
    record Mapped(FmtResponse response, Outcome outcome) {}

    static Mapped map(RunResult r, Txtar.Archive program) {
        RunResult.Build b = r.build();
        return switch (r.ending()) {
            case FORMATTED -> {
                if (b.timedOut()) {
                    yield new Mapped(FmtResponse.error(TIMEOUT), Outcome.BUILD_TIMEOUT);
                }
                if (!b.errors().isEmpty()) { // the formatter itself failed: nothing the program decides
                    yield new Mapped(FmtResponse.error(b.errors()), Outcome.RUN_ERROR);
                }
                yield formatted(r.formatted(), program);
            }
            case SETUP -> new Mapped(FmtResponse.error(b.errors()), Outcome.INVALID);
            case DEADLINE -> new Mapped(FmtResponse.error(TIMEOUT), Outcome.TIMEOUT);
            default -> new Mapped(FmtResponse.error("formatting was killed: it ran out of memory or ended its sandbox"),
                    Outcome.KILLED);
        };
    }

    private static Mapped formatted(Map<String, RunResult.Formatted> formatted, Txtar.Archive program) {
        Map<String, String> files = new LinkedHashMap<>();
        for (Map.Entry<String, String> f : program.files().entrySet()) {
            RunResult.Formatted out = formatted.get(f.getKey());
            if (out != null && !out.error().isEmpty()) {
                return new Mapped(FmtResponse.error(out.error()), Outcome.COMPILE_ERROR);
            }
            files.put(f.getKey(), out == null ? f.getValue() : out.body());
        }
        return new Mapped(new FmtResponse(Txtar.format(new Txtar.Archive(files, program.implicitProg())), ""), Outcome.OK);
    }
}
