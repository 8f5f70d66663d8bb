package dev.compilerd.compile;

import dev.compilerd.sandbox.RunnerContract;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;

/**
 * Splits a request body into files the way the Go playground does: plain source is prog.go; txtar
 * sections ({@code -- name --}) add more files. Names are checked here so the sandbox never sees a bad one.
 */
public final class Txtar {
    /** The runner's limits on files and names (docker/playground/runner/contract.json). */
    private static final RunnerContract CONTRACT = RunnerContract.RUNNER;

    /** As Go's txtar: "-- name --" alone on a line, lines ending in \\n only. */
    private static final Pattern MARKER = Pattern.compile("^-- (.+) --$", Pattern.MULTILINE | Pattern.UNIX_LINES);

    private Txtar() {}

    /**
     * A program's files in the order the user wrote them, and whether prog.go was the text before the first marker
     * (the playground then writes it back without a marker).
     */
    public record Archive(Map<String, String> files, boolean implicitProg) {}

    /** Returns the files of the body, or throws with a message fit to show the user. */
    public static Map<String, String> split(String body) throws InvalidProgramException {
        return parse(body).files();
    }

    /** Like {@link #split}, keeping the files' order and how prog.go was written. */
    public static Archive parse(String body) throws InvalidProgramException {
        if (!body.startsWith("-- ") && !body.contains("\n-- ")) {
            return new Archive(Map.of("prog.go", body), true); // the common case: no marker can be there
        }
        List<MatchResult> markers = MARKER.matcher(body).results().toList();
        Map<String, String> files = new LinkedHashMap<>();
        String leading = body.substring(0, markers.isEmpty() ? body.length() : markers.get(0).start());
        boolean implicitProg = markers.isEmpty() || !leading.isBlank();
        if (implicitProg) {
            files.put("prog.go", leading);
        }
        for (int i = 0; i < markers.size(); i++) {
            String name = markers.get(i).group(1).trim();
            int end = i + 1 < markers.size() ? markers.get(i + 1).start() : body.length();
            int start = Math.min(markers.get(i).end() + 1, end);
            checkName(name);
            if (files.put(name, withFinalNewline(body.substring(start, end))) != null) {
                throw new InvalidProgramException("duplicate file name \"" + name + "\"");
            }
            if (files.size() > CONTRACT.maxFiles()) {
                throw new InvalidProgramException("too many files (limit " + CONTRACT.maxFiles() + ")");
            }
        }
        if (files.keySet().stream().noneMatch(n -> n.endsWith(".go"))) {
            throw new InvalidProgramException("no .go files in the program");
        }
        return new Archive(files, implicitProg);
    }

    /** Writes files back as Go's txtar.Format does: an implicit prog.go first without a marker, every file ending in \n. */
    public static String format(Archive a) {
        StringBuilder b = new StringBuilder();
        boolean first = true;
        for (Map.Entry<String, String> f : a.files().entrySet()) {
            if (!(first && a.implicitProg() && f.getKey().equals("prog.go"))) {
                b.append("-- ").append(f.getKey()).append(" --\n");
            }
            b.append(withFinalNewline(f.getValue()));
            first = false;
        }
        return b.toString();
    }

    /** Go's txtar ends every file with a newline; so do we, so both read a program the same way. */
    private static String withFinalNewline(String s) {
        return s.isEmpty() || s.endsWith("\n") ? s : s + "\n";
    }

    static void checkName(String name) throws InvalidProgramException {
        Optional<String> why = CONTRACT.checkName(name);
        if (why.isPresent()) {
            String shown = name.length() > 40 ? name.substring(0, 40) + "…" : name;
            throw new InvalidProgramException("invalid file name \"" + shown + "\": " + why.get());
        }
    }
}
