package dev.compilerd.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** POST /fmt through real Jetty and the real wiring, with a fake sandbox standing in for the formatter. */
class FmtHandlerTest extends JettyTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonNode fmt(String path, String contentType, String body) throws Exception {
        HttpResponse<String> r = post(path, contentType, body);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        return JSON.readTree(r.body());
    }

    @Test
    void aProgramComesBackFormattedInThePlaygroundsShapeAndIsNeverRun() throws Exception {
        start();
        JsonNode answer = fmt("/fmt", "application/x-www-form-urlencoded", "body=package+main%0A%0A");

        assertThat(answer.path("Body").asText()).isEqualTo("package main\n// GOFMT\n");
        assertThat(answer.path("Error").asText()).isEmpty();
        assertThat(answer.has("Events")).isFalse();
    }

    @Test
    void importsTrueAsksForGoimportsInEveryForm() throws Exception {
        start();
        assertThat(fmt("/fmt", "application/x-www-form-urlencoded", "body=package+main&imports=true")
                .path("Body").asText()).endsWith("// GOIMPORTS\n");
        assertThat(fmt("/fmt", "application/json", "{\"body\":\"package main\",\"Imports\":true}")
                .path("Body").asText()).endsWith("// GOIMPORTS\n");
        assertThat(fmt("/fmt?imports=true", "text/plain", "package main").path("Body").asText())
                .endsWith("// GOIMPORTS\n");
        assertThat(fmt("/fmt", "text/plain", "package main").path("Body").asText()).endsWith("// GOFMT\n");
    }

    @Test
    void aTxtarIsFormattedFileByFileInTheUsersOrderAndOtherFilesAreLeftAlone() throws Exception {
        start();
        String program = "package main  \n-- go.mod --\nmodule play  \n-- notes.txt --\n  as is  \n-- a.go --\npackage main\n";

        assertThat(fmt("/fmt", "text/plain", program).path("Body").asText()).isEqualTo("package main\n// GOFMT\n"
                + "-- go.mod --\nmodule play\n// GOFMT\n-- notes.txt --\n  as is  \n-- a.go --\npackage main\n// GOFMT\n");
        assertThat(fmt("/fmt", "text/plain", "-- prog.go --\npackage main\n").path("Body").asText())
                .as("an explicit prog.go keeps its marker").isEqualTo("-- prog.go --\npackage main\n// GOFMT\n");
    }

    @Test
    void theFirstFileThatDoesNotParseNamesTheError() throws Exception {
        start();
        JsonNode answer = fmt("/fmt", "text/plain", "package main\n-- b.go --\nSYNTAX\n-- a.go --\nSYNTAX\n");

        assertThat(answer.path("Error").asText()).isEqualTo("b.go:1:1: syntax error");
        assertThat(answer.path("Body").asText()).isEmpty();
    }

    @Test
    void anAnswerIsCachedApartFromRunsAndFromTheOtherFormatter() throws Exception {
        start();
        String first = fmt("/fmt", "text/plain", "package main").toString();

        assertThat(fmt("/fmt", "text/plain", "package main").toString()).isEqualTo(first);
        assertThat(sandbox.runs).hasValue(1);
        assertThat(fmt("/fmt?imports=true", "text/plain", "package main").toString()).isNotEqualTo(first);
        assertThat(post("/compile", "text/plain", "package main").body()).contains("\"Events\"");
        assertThat(fmt("/fmt", "application/json", "{\"body\":\"package main\"}").toString()).isEqualTo(first);
        assertThat(sandbox.runs).hasValue(3);
    }

    @Test
    void theReleaseIsChosenWithVAsForCompile() throws Exception {
        start();
        fmt("/fmt?v=goprev", "text/plain", "package main");

        assertThat(previous.runs).hasValue(1);
        assertThat(sandbox.runs).hasValue(0);
        assertThat(post("/fmt?v=go1.9", "text/plain", "package main").statusCode()).isEqualTo(400);
    }

    @Test
    void oversizedAndMalformedBodiesGetTheSame400sAsCompile() throws Exception {
        start("--max-request", "1KiB");
        String big = "package main\n" + "//".repeat(1024);
        for (String path : new String[] {"/compile", "/fmt"}) {
            HttpResponse<String> tooLarge = post(path, "text/plain", big);
            assertThat(tooLarge.statusCode()).isEqualTo(400);
            assertThat(tooLarge.body()).isEqualTo(post("/compile", "text/plain", big).body());
            HttpResponse<String> malformed = post(path, "application/json", "{\"body\":");
            assertThat(malformed.statusCode()).isEqualTo(400);
            assertThat(malformed.body()).isEqualTo(post("/compile", "application/json", "{\"body\":").body());
        }
        assertThat(sandbox.runs).hasValue(0);
    }

    @Test
    void onlyPostAndOptionsAreAllowed() throws Exception {
        start();
        HttpResponse<String> get = client.send(java.net.http.HttpRequest.newBuilder(uri("/fmt")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).hasValue("POST, OPTIONS");
    }
}
