package dev.compilerd.modules;

import java.util.Locale;
import java.util.Set;

/**
 * The go command's rules for module paths and versions (the Go modules reference: "Module paths", "Versions", and the
 * proxy protocol's case encoding), so the server asks its upstream only for names the go command itself could ask for.
 * Each check returns null when the name is good, else why it is not. Stateless.
 */
final class ModulePaths {
    private ModulePaths() {}

    /** File names Windows reserves; the go command refuses them as path elements on every system. */
    private static final Set<String> WINDOWS_RESERVED = Set.of("CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3",
            "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7",
            "LPT8", "LPT9");
    /** ASCII punctuation a file name (and so a version) may hold besides letters and digits. */
    private static final String FILE_NAME_PUNCTUATION = "!#$%&()+,-.=@[]^_{}~ ";

    /** Why a module path is not one the go command accepts, or null: a lower-case domain first, then import path elements. */
    static String checkModulePath(String path) {
        String problem = checkImportPath(path);
        if (problem != null) {
            return problem;
        }
        int slash = path.indexOf('/');
        String first = slash < 0 ? path : path.substring(0, slash);
        if (!first.contains(".")) {
            return "missing dot in first path element";
        }
        if (first.charAt(0) == '-') {
            return "leading dash in first path element";
        }
        for (char c : first.toCharArray()) {
            if (!(c == '-' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) {
                return "invalid char '" + c + "' in first path element";
            }
        }
        return pathMajor(path) == null ? "invalid major version suffix" : null;
    }

    /** Why an import path is malformed, or null: non-empty elements of letters, digits and + - . _ ~ joined by '/'. */
    private static String checkImportPath(String path) {
        if (path.isEmpty()) {
            return "empty path";
        }
        if (path.contains("..")) {
            return "double dot";
        }
        if (path.contains("//")) {
            return "double slash";
        }
        if (path.endsWith("/")) {
            return "trailing slash";
        }
        if (path.startsWith("/")) {
            return "leading slash";
        }
        for (String elem : path.split("/", -1)) {
            String problem = checkElement(elem, false);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    /** Why a path element (or, with fileName, a file name such as a version) is not allowed, or null. */
    static String checkElement(String elem, boolean fileName) {
        if (elem.isEmpty()) {
            return "empty path element";
        }
        if (elem.chars().allMatch(c -> c == '.')) {
            return "invalid path element \"" + elem + "\"";
        }
        if (elem.charAt(0) == '.' && !fileName) {
            return "leading dot in path element";
        }
        if (elem.endsWith(".")) {
            return "trailing dot in path element";
        }
        for (char c : elem.toCharArray()) {
            boolean alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            boolean ok = alnum || (fileName ? FILE_NAME_PUNCTUATION.indexOf(c) >= 0 : "+-._~".indexOf(c) >= 0);
            if (!ok) {
                return c < 0x20 || c > 0x7e ? "invalid char U+" + String.format("%04X", (int) c) : "invalid char '" + c + "'";
            }
        }
        int dot = elem.indexOf('.');
        String stem = dot < 0 ? elem : elem.substring(0, dot);
        return WINDOWS_RESERVED.contains(stem.toUpperCase(Locale.ROOT)) ? "\"" + stem + "\" is a reserved name" : null;
    }

    /**
     * The major-version suffix ("/v2", ".v1" for gopkg.in, "" for none) of a module path, or null when the suffix is
     * malformed (/v0, /v1, /v01, /v2.1, or a gopkg.in path without .vN).
     */
    static String pathMajor(String path) {
        if (path.startsWith("gopkg.in/")) {
            int i = path.endsWith("-unstable") ? path.length() - "-unstable".length() : path.length();
            while (i > 0 && Character.isDigit(path.charAt(i - 1))) {
                i--;
            }
            if (i <= 1 || path.charAt(i - 1) != 'v' || path.charAt(i - 2) != '.') {
                return null;
            }
            String major = path.substring(i - 2);
            return major.length() <= 2 || major.charAt(2) == '0' && !major.equals(".v0") ? null : major;
        }
        int i = path.length();
        boolean dot = false;
        while (i > 0 && (Character.isDigit(path.charAt(i - 1)) || path.charAt(i - 1) == '.')) {
            dot |= path.charAt(i - 1) == '.';
            i--;
        }
        if (i <= 1 || i == path.length() || path.charAt(i - 1) != 'v' || path.charAt(i - 2) != '/') {
            return "";
        }
        String major = path.substring(i - 2);
        return dot || major.charAt(2) == '0' || major.equals("/v1") ? null : major;
    }

    /** Why a canonical version does not belong to a module path (v2.x.y needs /v2; +incompatible needs none), or null. */
    static String checkPathVersion(String path, String version) {
        String major = pathMajor(path);
        String m = Semver.major(version);
        boolean ok;
        if (major == null) {
            ok = false;
        } else if (major.isEmpty()) {
            ok = m.equals("v0") || m.equals("v1") || Semver.build(version).equals("+incompatible");
        } else {
            String want = major.startsWith(".v") && major.endsWith("-unstable")
                    ? major.substring(0, major.length() - "-unstable".length()) : major;
            // Old pseudo-versions of gopkg.in .v1 paths, which the go command still accepts.
            ok = want.equals(".v1") && version.startsWith("v0.0.0-") || m.equals(want.substring(1));
        }
        return ok ? null : "version " + version + " does not match module path " + path + " (want "
                + (major == null || major.isEmpty() ? "v0 or v1" : major.substring(1)) + ")";
    }

    /** The proxy's case encoding: each upper-case letter becomes '!' and the letter in lower case. */
    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length() + 8);
        for (char c : s.toCharArray()) {
            if (c >= 'A' && c <= 'Z') {
                out.append('!').append((char) (c + ('a' - 'A')));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Undoes {@link #escape}; null when the text is not an escaped name (an upper-case letter, or '!' not before a-z). */
    static String unescape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '!') {
                char next = i + 1 < s.length() ? s.charAt(i + 1) : 0;
                if (next < 'a' || next > 'z') {
                    return null;
                }
                out.append((char) (next - ('a' - 'A')));
                i++;
            } else if ((c >= 'A' && c <= 'Z') || c > 0x7e) {
                return null;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
