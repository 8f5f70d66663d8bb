package dev.compilerd.modules;

/**
 * Semantic versions as the go command reads them ("v" + MAJOR[.MINOR[.PATCH[-PRE][+BUILD]]], no leading zeros), so
 * that the proxy accepts exactly the versions the go command asks for. Stateless; written from the Go modules reference.
 */
final class Semver {
    private Semver() {}

    /** The parts of a valid version; minor and patch are "0" when the short forms v1 and v1.2 omit them. */
    private record Parsed(String major, String minor, String patch, boolean shortForm, String prerelease, String build) {}

    static boolean isValid(String v) {
        return parse(v) != null;
    }

    /** The canonical form (v1 → v1.0.0, build metadata dropped), or "" when v is not a version. */
    static String canonical(String v) {
        Parsed p = parse(v);
        if (p == null) {
            return "";
        }
        return "v" + p.major + "." + p.minor + "." + p.patch + p.prerelease;
    }

    /** "v2" for v2.1.0, or "" when v is not a version. */
    static String major(String v) {
        Parsed p = parse(v);
        return p == null ? "" : "v" + p.major;
    }

    /** "+meta" for v1.0.0+meta, or "". */
    static String build(String v) {
        Parsed p = parse(v);
        return p == null ? "" : p.build;
    }

    static boolean isPrerelease(String v) {
        Parsed p = parse(v);
        return p != null && !p.prerelease.isEmpty();
    }

    /** Orders versions by precedence; an invalid version sorts below every valid one. */
    static int compare(String a, String b) {
        Parsed x = parse(a);
        Parsed y = parse(b);
        if (x == null || y == null) {
            return Boolean.compare(x != null, y != null);
        }
        int c = compareNumbers(x.major, y.major);
        c = c != 0 ? c : compareNumbers(x.minor, y.minor);
        c = c != 0 ? c : compareNumbers(x.patch, y.patch);
        return c != 0 ? c : comparePrerelease(x.prerelease, y.prerelease);
    }

    private static Parsed parse(String v) {
        if (v == null || v.length() < 2 || v.charAt(0) != 'v') {
            return null;
        }
        int[] at = {1};
        String major = number(v, at);
        if (major == null) {
            return null;
        }
        if (at[0] == v.length()) {
            return new Parsed(major, "0", "0", true, "", "");
        }
        String minor = v.charAt(at[0]) == '.' ? number(v, advance(at)) : null;
        if (minor == null) {
            return null;
        }
        if (at[0] == v.length()) {
            return new Parsed(major, minor, "0", true, "", "");
        }
        String patch = v.charAt(at[0]) == '.' ? number(v, advance(at)) : null;
        if (patch == null) {
            return null;
        }
        String rest = v.substring(at[0]);
        int plus = rest.indexOf('+');
        String pre = plus < 0 ? rest : rest.substring(0, plus);
        String build = plus < 0 ? "" : rest.substring(plus);
        if (!pre.isEmpty() && (pre.charAt(0) != '-' || !identifiers(pre.substring(1), true))) {
            return null;
        }
        if (!build.isEmpty() && !identifiers(build.substring(1), false)) {
            return null;
        }
        return new Parsed(major, minor, patch, false, pre, build);
    }

    private static int[] advance(int[] at) {
        at[0]++;
        return at;
    }

    /** Decimal digits at at[0] without a leading zero (except "0" itself); moves at[0] past them. */
    private static String number(String v, int[] at) {
        int start = at[0];
        int i = start;
        while (i < v.length() && isDigit(v.charAt(i))) {
            i++;
        }
        if (i == start || (v.charAt(start) == '0' && i - start > 1)) {
            return null;
        }
        at[0] = i;
        return v.substring(start, i);
    }

    /** Dot-separated non-empty [0-9A-Za-z-] identifiers; in a prerelease, numeric ones have no leading zero. */
    private static boolean identifiers(String s, boolean prerelease) {
        if (s.isEmpty()) {
            return false;
        }
        for (String id : s.split("\\.", -1)) {
            if (id.isEmpty() || !id.chars().allMatch(c -> isDigit((char) c) || isLetter((char) c) || c == '-')) {
                return false;
            }
            if (prerelease && id.length() > 1 && id.charAt(0) == '0' && id.chars().allMatch(c -> isDigit((char) c))) {
                return false;
            }
        }
        return true;
    }

    private static int compareNumbers(String a, String b) {
        return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : Integer.signum(a.compareTo(b));
    }

    /** A release outranks its prereleases; identifiers compare numerically when numeric, else in ASCII order. */
    private static int comparePrerelease(String a, String b) {
        if (a.equals(b)) {
            return 0;
        }
        if (a.isEmpty() || b.isEmpty()) {
            return a.isEmpty() ? 1 : -1;
        }
        String[] x = a.substring(1).split("\\.");
        String[] y = b.substring(1).split("\\.");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            boolean xn = x[i].chars().allMatch(c -> isDigit((char) c));
            boolean yn = y[i].chars().allMatch(c -> isDigit((char) c));
            int c = xn && yn ? compareNumbers(x[i], y[i]) : xn != yn ? (xn ? -1 : 1) : Integer.signum(x[i].compareTo(y[i]));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
