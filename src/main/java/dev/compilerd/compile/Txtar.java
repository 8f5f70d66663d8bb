package dev.compilerd.compile;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;

/**
 * Splits a request body into files the way the Go playground does: plain source is prog.go; txtar
 * sections ({@code -- name --}) add more files. Names are checked here so the sandbox never sees a bad one.
 */
public final class Txtar {
    /** Limits on multi-file programs. */
    public static final int MAX_FILES = 32;
    public static final int MAX_NAME_LENGTH = 128;
    public static final int MAX_DEPTH = 4;

    /** As Go's txtar: "-- name --" alone on a line, lines ending in \\n only. */
    private static final Pattern MARKER = Pattern.compile("^-- (.+) --$", Pattern.MULTILINE | Pattern.UNIX_LINES);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._\\-/]+");

    private Txtar() {}

    /** Returns the files of the body, or throws with a message fit to show the user. */
    public static Map<String, String> split(String body) throws InvalidProgramException {
        if (!body.startsWith("-- ") && !body.contains("\n-- ")) {
            return Map.of("prog.go", body); // the common case: no marker can be there
        }
        List<MatchResult> markers = MARKER.matcher(body).results().toList();
        Map<String, String> files = new LinkedHashMap<>();
        String leading = body.substring(0, markers.isEmpty() ? body.length() : markers.get(0).start());
        if (markers.isEmpty() || !leading.isBlank()) {
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
            if (files.size() > MAX_FILES) {
                throw new InvalidProgramException("too many files (limit " + MAX_FILES + ")");
            }
        }
        if (files.keySet().stream().noneMatch(n -> n.endsWith(".go"))) {
            throw new InvalidProgramException("no .go files in the program");
        }
        return files;
    }

    /** Go's txtar ends every file with a newline; so do we, so both read a program the same way. */
    private static String withFinalNewline(String s) {
        return s.isEmpty() || s.endsWith("\n") ? s : s + "\n";
    }

    static void checkName(String name) throws InvalidProgramException {
        if (name.length() > MAX_NAME_LENGTH) {
            throw new InvalidProgramException("file name too long (limit " + MAX_NAME_LENGTH + "): \"" + name.substring(0, 40) + "…\"");
        }
        if (!NAME.matcher(name).matches()) {
            throw new InvalidProgramException("invalid file name \"" + name + "\": use letters, digits, '.', '_', '-' and '/'");
        }
        if (name.startsWith("/") || name.endsWith("/") || name.contains("//")) {
            throw new InvalidProgramException("invalid file name \"" + name + "\": must be a relative path");
        }
        for (String part : name.split("/")) {
            if (part.equals(".") || part.equals("..")) {
                throw new InvalidProgramException("invalid file name \"" + name + "\": no '.' or '..' path elements");
            }
        }
        if (name.chars().filter(c -> c == '/').count() >= MAX_DEPTH) {
            throw new InvalidProgramException("file name \"" + name + "\" nested too deeply (limit " + MAX_DEPTH + " levels)");
        }
    }
}
