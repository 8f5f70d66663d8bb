package dev.compilerd.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.compilerd.sandbox.Bench;
import dev.compilerd.sandbox.RunnerContract;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a /compile body in the Go playground's form encoding, as JSON (field names matched case-insensitively,
 * as Go decodes them), or as the raw program. Pure and thread-safe.
 */
public final class RequestParser {
    /** The request fields (form, JSON or query) that ask for benchmarks on the real clock. */
    public static final String BENCH = "bench";
    public static final String BENCH_PATTERN = "benchPattern";
    public static final String BENCH_RUN = "benchRun";

    private final ObjectMapper json;

    public RequestParser(ObjectMapper json) {
        this.json = json;
    }

    /** Parses by content type; {@code queryVet} is the raw form's ?withVet=true. */
    public CompileRequest parse(String contentType, byte[] body, boolean queryVet) throws BadRequestException {
        return parse(contentType, body, new CompileRequest("", queryVet, false));
    }

    /**
     * Parses by content type; a raw body takes {@code query}'s flags (?withVet=true, ?imports=true), the form and JSON
     * forms their own fields.
     */
    public CompileRequest parse(String contentType, byte[] body, CompileRequest query) throws BadRequestException {
        String type = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return switch (type) {
            case "application/x-www-form-urlencoded" -> looksLikeForm(body) ? form(body) : raw(body, query);
            case "application/json" -> json(body);
            default -> raw(body, query);
        };
    }

    private static CompileRequest raw(byte[] body, CompileRequest query) throws BadRequestException {
        return new CompileRequest(utf8(body), query.withVet(), query.imports());
    }

    /**
     * curl --data-binary sends source as x-www-form-urlencoded; a real form starts with a field name, while Go
     * source starts with "package" or a comment, neither of which is a bare name followed by '='.
     */
    static boolean looksLikeForm(byte[] body) {
        int i = 0;
        while (i < body.length && body[i] != '=' && body[i] != '&') {
            byte b = body[i];
            if (!(Character.isLetterOrDigit(b) || b == '_' || b == '.' || b == '-' || b == '%')) {
                return false;
            }
            i++;
        }
        return i < body.length || body.length == 0;
    }

    private CompileRequest form(byte[] body) throws BadRequestException {
        String text = utf8(body);
        String source = null;
        boolean vet = false;
        boolean imports = false;
        Boolean bench = null;
        String pattern = null;
        String run = null;
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (name.equals("body")) {
                source = value;
            } else if (name.equals("withVet")) {
                vet = value.equals("true");
            } else if (name.equals("imports")) {
                imports = !value.isEmpty(); // as the playground's /fmt: any value asks for goimports
            } else if (name.equals(BENCH)) {
                bench = flag(value);
            } else if (name.equals(BENCH_PATTERN)) {
                pattern = value;
            } else if (name.equals(BENCH_RUN)) {
                run = value;
            }
        }
        if (source == null) {
            throw new BadRequestException("form has no 'body' field");
        }
        return new CompileRequest(source, vet, imports, bench, pattern, run);
    }

    private CompileRequest json(byte[] body) throws BadRequestException {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new BadRequestException("malformed JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new BadRequestException("unreadable JSON");
        }
        if (root == null || !root.isObject()) {
            throw new BadRequestException("JSON body must be an object like {\"body\": \"package main...\"}");
        }
        JsonNode source = null;
        JsonNode vet = null;
        JsonNode imports = null;
        JsonNode bench = null;
        JsonNode pattern = null;
        JsonNode run = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equalsIgnoreCase("body")) {
                source = f.getValue();
            } else if (f.getKey().equalsIgnoreCase("withVet")) {
                vet = f.getValue();
            } else if (f.getKey().equalsIgnoreCase("imports")) {
                imports = f.getValue();
            } else if (f.getKey().equalsIgnoreCase(BENCH)) {
                bench = f.getValue();
            } else if (f.getKey().equalsIgnoreCase(BENCH_PATTERN)) {
                pattern = f.getValue();
            } else if (f.getKey().equalsIgnoreCase(BENCH_RUN)) {
                run = f.getValue();
            }
        }
        if (source == null || !source.isTextual()) {
            throw new BadRequestException("JSON needs a string field \"body\"");
        }
        boolean benchOn = flag(bench, BENCH);
        return new CompileRequest(source.asText(), flag(vet, "withVet"), flag(imports, "imports"),
                bench == null || bench.isNull() ? null : benchOn, text(pattern, BENCH_PATTERN), text(run, BENCH_RUN));
    }

    /** A JSON flag: true, false, null or absent (false). */
    private static boolean flag(JsonNode value, String name) throws BadRequestException {
        if (value != null && !value.isBoolean() && !value.isNull()) {
            throw new BadRequestException("JSON field \"" + name + "\" must be true or false");
        }
        return value != null && value.asBoolean();
    }

    private static String text(JsonNode n, String field) throws BadRequestException {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new BadRequestException("JSON field \"" + field + "\" must be a string");
        }
        return n.asText();
    }

    /**
     * Whether and how to run the request's benchmarks (null: not), from its body's fields and its query's ({@code
     * ?bench=1&benchPattern=...&benchRun=...}, null where absent): either may turn bench on, and a pattern in the
     * body wins over the query's.
     */
    public Bench bench(CompileRequest body, String queryBench, String queryPattern, String queryRun)
            throws BadRequestException {
        boolean on = Boolean.TRUE.equals(body.bench()) || queryBench != null && flag(queryBench);
        String pattern = body.benchPattern() != null ? body.benchPattern() : queryPattern;
        String run = body.benchRun() != null ? body.benchRun() : queryRun;
        if (!on) {
            if (pattern != null || run != null) {
                throw new BadRequestException(BENCH_PATTERN + " and " + BENCH_RUN + " need " + BENCH + "=1");
            }
            return null;
        }
        return new Bench(checkPattern(BENCH_PATTERN, pattern), checkPattern(BENCH_RUN, run));
    }

    /** A form or query bench value: 1 or true, 0 or false (or empty). */
    static boolean flag(String value) throws BadRequestException {
        return switch (value) {
            case "1", "true" -> true;
            case "0", "false", "" -> false;
            default -> throw new BadRequestException(BENCH + " must be 1 or true (0 or false: off); the"
                    + " benchmarks to run go in " + BENCH_PATTERN);
        };
    }

    /** The runner checks a pattern as Go regular expressions; here only what could not be one argument. */
    private static String checkPattern(String field, String pattern) throws BadRequestException {
        if (pattern == null) {
            return "";
        }
        int max = RunnerContract.RUNNER.maxBenchPatternBytes();
        if (pattern.getBytes(StandardCharsets.UTF_8).length > max) {
            throw new BadRequestException(field + " is over " + max + " bytes");
        }
        if (pattern.chars().anyMatch(c -> c < ' ' || c == 0x7f)) {
            throw new BadRequestException(field + " has a control character");
        }
        return pattern;
    }

    /** Percent-decodes to bytes first, then decodes strict UTF-8, so %FF is refused rather than altered. */
    private static String decode(String s) throws BadRequestException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
                byte[] b = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
                i++;
            } else if (c == '+') {
                out.write(' ');
            } else if (c == '%') {
                if (i + 2 >= s.length() || Character.digit(s.charAt(i + 1), 16) < 0
                        || Character.digit(s.charAt(i + 2), 16) < 0) {
                    throw new BadRequestException("malformed form encoding near '" + s.substring(i,
                            Math.min(s.length(), i + 3)) + "'");
                }
                out.write(Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return utf8(out.toByteArray());
    }

    /** Strict UTF-8: a program that is not text is refused rather than silently altered. */
    static String utf8(byte[] body) throws BadRequestException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new BadRequestException("request body is not valid UTF-8");
        }
    }
}
