package dev.compilerd.modules;

import java.util.List;

/**
 * One well-formed GOPROXY request: a module file (MODULE/@v/list, MODULE/@v/VERSION.info|.mod|.zip, MODULE/@latest,
 * paths and versions case-encoded) or a checksum-database file under sumdb/NAME/ (supported, latest,
 * lookup/MODULE@VERSION, tile/...). {@link #parse} accepts exactly the forms the go command sends, nothing else.
 *
 * @param path      the request path as sent and as it is asked of the upstream, also the cache key
 * @param immutable whether the answer can never change (a version's files, lookups, full tiles): kept until evicted;
 *                  the others (lists, latest, queries by branch, partial tiles) expire after the TTL
 * @param sumdb     the checksum database's name for sumdb/ requests, else ""
 */
record ProxyRequest(Kind kind, String path, boolean immutable, String contentType, String sumdb) {
    /** What a request asks for; the metrics and the cache policy follow from it. */
    enum Kind { LIST, LATEST, INFO, MOD, ZIP, SUMDB_SUPPORTED, SUMDB_LATEST, SUMDB_LOOKUP, SUMDB_TILE }

    /** The longest request path considered; far beyond any real module path, short enough for a log line. */
    static final int MAX_PATH_CHARS = 2048;
    static final String TEXT = "text/plain; charset=utf-8";
    static final String JSON = "application/json";
    static final String ZIP = "application/zip";
    static final String BINARY = "application/octet-stream";
    /** The go command's sumdb tiles: height 1..30, three-digit groups of the index, an optional partial width. */
    private static final int MAX_TILE_HEIGHT = 30;
    private static final int MAX_TILE_GROUPS = 7;
    private static final String HEX = "0123456789abcdef";

    /** Thrown for a path the go command would never send; the message says why (and reaches the go command's output). */
    static final class BadPathException extends Exception {
        BadPathException(String message) {
            super(message);
        }
    }

    /** Parses a request path, percent-encoded or not (the go command writes '!' as %21); refuses all but the forms above. */
    static ProxyRequest parse(String raw) throws BadPathException {
        if (raw.length() > MAX_PATH_CHARS) {
            throw new BadPathException("request path longer than " + MAX_PATH_CHARS + " characters");
        }
        String path = percentDecoded(raw);
        if (path.startsWith("sumdb/")) {
            return sumdb(path);
        }
        if (path.endsWith("/@latest")) {
            module(path.substring(0, path.length() - "/@latest".length()));
            return new ProxyRequest(Kind.LATEST, path, false, JSON, "");
        }
        int at = path.indexOf("/@v/");
        if (at < 0) {
            throw new BadPathException("not a module proxy path (MODULE/@v/..., MODULE/@latest or sumdb/...): " + path);
        }
        String module = module(path.substring(0, at));
        String file = path.substring(at + "/@v/".length());
        if (file.equals("list")) {
            return new ProxyRequest(Kind.LIST, path, false, TEXT, "");
        }
        int dot = file.lastIndexOf('.');
        String ext = dot < 0 ? "" : file.substring(dot);
        if (!List.of(".info", ".mod", ".zip").contains(ext)) {
            throw new BadPathException("unknown module file '" + file + "' (want list, VERSION.info, .mod or .zip)");
        }
        String version = version(file.substring(0, dot));
        boolean canonical = isCanonical(version);
        if (ext.equals(".info")) {
            // A query by branch or commit (not a canonical version) is answered anew after the TTL.
            return new ProxyRequest(Kind.INFO, path, canonical, JSON, "");
        }
        if (!canonical) {
            throw new BadPathException("version " + version + " is not canonical (as in v1.2.3) for " + ext);
        }
        mismatch(module, version);
        return ext.equals(".mod") ? new ProxyRequest(Kind.MOD, path, true, TEXT, "")
                : new ProxyRequest(Kind.ZIP, path, true, ZIP, "");
    }

    private static ProxyRequest sumdb(String path) throws BadPathException {
        String[] parts = path.split("/", 3);
        if (parts.length < 3 || !parts[1].matches("[a-z0-9]([a-z0-9.-]{0,250}[a-z0-9])?")) {
            throw new BadPathException("not a checksum database path (sumdb/NAME/...): " + path);
        }
        String name = parts[1];
        String rest = parts[2];
        if (rest.equals("supported")) {
            return new ProxyRequest(Kind.SUMDB_SUPPORTED, path, false, TEXT, name);
        }
        if (rest.equals("latest")) {
            return new ProxyRequest(Kind.SUMDB_LATEST, path, false, TEXT, name);
        }
        if (rest.startsWith("lookup/")) {
            String target = rest.substring("lookup/".length());
            int at = target.lastIndexOf('@');
            if (at < 0) {
                throw new BadPathException("checksum database lookup needs MODULE@VERSION: " + target);
            }
            String module = module(target.substring(0, at));
            String version = version(target.substring(at + 1));
            if (!isCanonical(version)) {
                throw new BadPathException("version " + version + " is not canonical (as in v1.2.3) for a lookup");
            }
            mismatch(module, version);
            return new ProxyRequest(Kind.SUMDB_LOOKUP, path, true, TEXT, name);
        }
        if (rest.startsWith("tile/")) {
            boolean full = tile(rest);
            boolean data = rest.split("/")[2].equals("data");
            return new ProxyRequest(Kind.SUMDB_TILE, path, full, data ? TEXT : BINARY, name);
        }
        throw new BadPathException("unknown checksum database path (supported, latest, lookup/, tile/): " + rest);
    }

    /** The path with each %XX replaced by its character; '+' stays '+', as in a URL's path. Paths are ASCII. */
    private static String percentDecoded(String raw) throws BadPathException {
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c > 0x7e) {
                throw new BadPathException("non-ASCII character in " + raw.substring(0, i) + "...");
            }
            if (c == '%') {
                int hi = i + 2 < raw.length() ? HEX.indexOf(Character.toLowerCase(raw.charAt(i + 1))) : -1;
                int lo = hi < 0 ? -1 : HEX.indexOf(Character.toLowerCase(raw.charAt(i + 2)));
                if (lo < 0 || hi > 7) {
                    throw new BadPathException("malformed or non-ASCII percent-encoding in " + raw);
                }
                c = (char) (hi * 16 + lo);
                i += 2;
            }
            out.append(c);
        }
        return out.toString();
    }

    /** The module path an escaped path stands for, or why it is not one. */
    private static String module(String escaped) throws BadPathException {
        String module = ModulePaths.unescape(escaped);
        if (module == null) {
            throw new BadPathException("malformed escaped module path \"" + escaped + "\" (upper case is written !x)");
        }
        String problem = ModulePaths.checkModulePath(module);
        if (problem != null) {
            throw new BadPathException("malformed module path \"" + module + "\": " + problem);
        }
        return module;
    }

    private static String version(String escaped) throws BadPathException {
        if (!escaped.matches("[a-z0-9._+~!-]*")) {
            // A branch name with characters a URL must encode: not worth relaying, and not a version.
            throw new BadPathException("version \"" + escaped + "\" has characters this proxy does not relay");
        }
        String version = ModulePaths.unescape(escaped);
        String problem = version == null ? "bad case encoding" : ModulePaths.checkElement(version, true);
        if (problem != null) {
            throw new BadPathException("malformed version \"" + escaped + "\": " + problem);
        }
        return version;
    }

    /** Whether v is a version in the go command's canonical form (v1.2.3, v1.2.3-pre, v2.0.0+incompatible). */
    private static boolean isCanonical(String v) {
        String build = Semver.build(v);
        return Semver.isValid(v) && v.equals(Semver.canonical(v) + (build.equals("+incompatible") ? build : ""));
    }

    private static void mismatch(String module, String version) throws BadPathException {
        String problem = ModulePaths.checkPathVersion(module, version);
        if (problem != null) {
            throw new BadPathException(problem);
        }
    }

    /**
     * Checks a tile path (tile/H/L/[xNNN/]...NNN[.p/W], L a level or "data") the way the go command writes it, and
     * says whether it is a full tile (immutable) rather than a partial one.
     */
    private static boolean tile(String rest) throws BadPathException {
        List<String> f = List.of(rest.split("/", -1));
        BadPathException bad = new BadPathException("malformed tile path: " + rest);
        if (f.size() < 4 || f.size() > 3 + MAX_TILE_GROUPS + 1) {
            throw bad;
        }
        int height = small(f.get(1), bad);
        boolean data = f.get(2).equals("data");
        int level = data ? 0 : small(f.get(2), bad);
        if (height < 1 || height > MAX_TILE_HEIGHT || level > 64 / height) {
            throw bad;
        }
        List<String> groups = f.subList(3, f.size());
        int width = 1 << height;
        boolean partial = groups.size() >= 2 && groups.get(groups.size() - 2).endsWith(".p");
        if (partial) {
            width = small(groups.get(groups.size() - 1), bad);
            groups = groups.subList(0, groups.size() - 1);
        }
        StringBuilder canonical = new StringBuilder("tile/" + height + "/" + (data ? "data" : level) + "/");
        for (int i = 0; i < groups.size(); i++) {
            String g = groups.get(i);
            boolean last = i == groups.size() - 1;
            String digits = last ? (partial ? g.substring(0, g.length() - 2) : g) : g.startsWith("x") ? g.substring(1) : "";
            if (!digits.matches("[0-9]{3}") || (i == 0 && groups.size() > 1 && digits.equals("000"))) {
                throw bad;
            }
            canonical.append(last ? "" : "x").append(digits).append(last ? "" : "/");
        }
        if (partial) {
            if (width < 1 || width >= 1 << height) {
                throw bad;
            }
            canonical.append(".p/").append(width);
        }
        if (!canonical.toString().equals(rest)) {
            throw bad;
        }
        return !partial;
    }

    private static int small(String s, BadPathException bad) throws BadPathException {
        if (!s.matches("0|[1-9][0-9]{0,8}")) {
            throw bad;
        }
        return Integer.parseInt(s);
    }
}
