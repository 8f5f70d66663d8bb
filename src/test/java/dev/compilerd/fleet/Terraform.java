package dev.compilerd.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.bertramlabs.plugins.hcl4j.HCLParser;
import com.bertramlabs.plugins.hcl4j.RuntimeSymbols.Variable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The top-level blocks of every terraform/*.tf file, merged, with var./local. references resolved on demand. */
record Terraform(Map<String, Object> locals, Map<String, Map<String, Object>> variables,
                 Map<String, Map<String, Map<String, Object>>> resources, String source) {

    static Terraform parse(Path dir) throws Exception {
        Map<String, Object> locals = new LinkedHashMap<>();
        Map<String, Map<String, Object>> variables = new LinkedHashMap<>();
        Map<String, Map<String, Map<String, Object>>> resources = new LinkedHashMap<>();
        StringBuilder source = new StringBuilder();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".tf")).sorted().toList();
        }
        assertThat(files).as("terraform files in %s", dir).isNotEmpty();
        for (Path file : files) {
            Map<String, Object> top = new HCLParser().parse(file.toFile(), StandardCharsets.UTF_8);
            source.append(Files.readString(file));
            locals.putAll(cast(top.getOrDefault("locals", Map.of())));
            Map<String, Map<String, Object>> vars = cast(top.getOrDefault("variable", Map.of()));
            variables.putAll(vars);
            Map<String, Map<String, Map<String, Object>>> res = cast(top.getOrDefault("resource", Map.of()));
            res.forEach((type, byName) -> resources.computeIfAbsent(type, t -> new LinkedHashMap<>()).putAll(byName));
        }
        return new Terraform(locals, variables, resources, source.toString());
    }

    Map<String, Map<String, Object>> resources(String type) {
        assertThat(resources).as("resources").containsKey(type);
        return resources.get(type);
    }

    Map<String, Object> resource(String type, String name) {
        assertThat(resources(type)).as("resource %s", type).containsKey(name);
        return resources(type).get(name);
    }

    /** The resource a reference like {@code google_compute_health_check.autohealing.id} points at. */
    Map<String, Object> referenced(Object reference) {
        String[] parts = String.valueOf(resolve(reference)).split("\\.");
        assertThat(parts).as("resource reference %s", reference).hasSizeGreaterThanOrEqualTo(2);
        return resource(parts[0], parts[1]);
    }

    /** A nested block that appears once (hcl4j gives a list when a block repeats). */
    Map<String, Object> block(Map<String, Object> parent, String name) {
        assertThat(parent).as("block %s", name).containsKey(name);
        assertThat(parent.get(name)).as("block %s appears once", name).isInstanceOf(Map.class);
        return cast(parent.get(name));
    }

    List<Object> list(Object value) {
        Object v = resolve(value);
        assertThat(v).as("list %s", value).isInstanceOf(List.class);
        return cast(v);
    }

    /** A whole number; terraform converts "8080" to a number where one is expected, so this does too. */
    long number(Object value) {
        Object v = resolve(value);
        if (v instanceof String s && s.matches("\\d+")) {
            return Long.parseLong(s);
        }
        assertThat(v).as("number %s", value).isInstanceOf(Number.class);
        double d = ((Number) v).doubleValue();
        assertThat(d).as("whole number %s", value).isEqualTo(Math.rint(d));
        return (long) d;
    }

    /** Follows var.X (to its default) and local.X; other references come back as their text. */
    Object resolve(Object value) {
        String ref = value instanceof Variable v ? v.getName() : value instanceof String s ? s : null;
        if (ref == null) {
            return value;
        }
        if (ref.startsWith("local.") && locals.containsKey(ref.substring(6))) {
            return resolve(locals.get(ref.substring(6)));
        }
        if (ref.startsWith("var.") && variables.containsKey(ref.substring(4))
                && variables.get(ref.substring(4)).containsKey("default")) {
            return resolve(variables.get(ref.substring(4)).get("default"));
        }
        return ref;
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) {
        return (T) o;
    }
}
