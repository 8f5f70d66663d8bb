package dev.compilerd.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import org.junit.jupiter.api.Test;

class RequestParserTest {
    private static final String FORM = "application/x-www-form-urlencoded";
    private static final String SOURCE = "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"a&b=c 100%\") }\n";

    private final RequestParser parser = new RequestParser(new ObjectMapper());

    private CompileRequest parse(String contentType, String body) throws BadRequestException {
        return parser.parse(contentType, body.getBytes(UTF_8), false);
    }

    @Test
    void rawBodyIsTheProgram() throws BadRequestException {
        assertThat(parse("text/plain", SOURCE)).isEqualTo(new CompileRequest(SOURCE, false));
    }

    @Test
    void missingContentTypeMeansRawBody() throws BadRequestException {
        assertThat(parser.parse(null, SOURCE.getBytes(UTF_8), false)).isEqualTo(new CompileRequest(SOURCE, false));
    }

    @Test
    void rawBodyTakesVetFromTheQuery() throws BadRequestException {
        assertThat(parser.parse("text/plain", SOURCE.getBytes(UTF_8), true)).isEqualTo(new CompileRequest(SOURCE, true));
    }

    @Test
    void rawBodyWithCurlsDefaultFormContentTypeIsTheProgram() throws BadRequestException {
        // curl --data-binary @main.go sends x-www-form-urlencoded; "package main" is not a field=value pair.
        assertThat(parser.parse(FORM, SOURCE.getBytes(UTF_8), true)).isEqualTo(new CompileRequest(SOURCE, true));
    }

    @Test
    void rawBodyStartingWithACommentUnderFormContentTypeIsTheProgram() throws BadRequestException {
        String src = "// Hello.\npackage main\nfunc main() { x := 1; _ = x }\n";

        assertThat(parse(FORM, src).body()).isEqualTo(src);
    }

    @Test
    void realFormIsUrlDecoded() throws BadRequestException {
        String body = "version=2&body=" + URLEncoder.encode(SOURCE, UTF_8) + "&withVet=true";

        assertThat(parse(FORM, body)).isEqualTo(new CompileRequest(SOURCE, true));
    }

    @Test
    void formPlusSignsAreSpaces() throws BadRequestException {
        assertThat(parse(FORM, "body=package+main%0A").body()).isEqualTo("package main\n");
    }

    @Test
    void formWithoutWithVetDoesNotVet() throws BadRequestException {
        assertThat(parse(FORM, "body=x").withVet()).isFalse();
        assertThat(parse(FORM, "body=x&withVet=false").withVet()).isFalse();
        assertThat(parse(FORM, "body=x&withVet=1").withVet()).isFalse();
    }

    @Test
    void formWithoutBodyIsABadRequest() {
        assertThatThrownBy(() -> parse(FORM, "version=2&withVet=true"))
                .isInstanceOf(BadRequestException.class)
                .hasMessage("form has no 'body' field");
    }

    @Test
    void formWithABrokenPercentEscapeIsABadRequest() {
        assertThatThrownBy(() -> parse(FORM, "body=100%zz"))
                .isInstanceOf(BadRequestException.class)
                .hasMessageStartingWith("malformed form encoding near '%zz'");
    }

    @Test
    void emptyFormHasNoBody() {
        assertThatThrownBy(() -> parse(FORM, "")).hasMessage("form has no 'body' field");
    }

    @Test
    void jsonBodyAndWithVetAreRead() throws BadRequestException {
        assertThat(parse("application/json", "{\"body\": \"package main\\n\", \"withVet\": true}"))
                .isEqualTo(new CompileRequest("package main\n", true));
    }

    @Test
    void jsonFieldNamesAreCaseInsensitive() throws BadRequestException {
        assertThat(parse("application/json", "{\"Body\": \"x\", \"WITHVET\": true}"))
                .isEqualTo(new CompileRequest("x", true));
    }

    @Test
    void jsonWithoutWithVetOrWithNullDoesNotVet() throws BadRequestException {
        assertThat(parse("application/json", "{\"body\": \"x\"}").withVet()).isFalse();
        assertThat(parse("application/json", "{\"body\": \"x\", \"withVet\": null}").withVet()).isFalse();
    }

    @Test
    void contentTypeParametersAndCaseAreIgnored() throws BadRequestException {
        assertThat(parse("Application/JSON; charset=utf-8", "{\"body\": \"x\"}").body()).isEqualTo("x");
        assertThat(parse(FORM + "; charset=UTF-8", "body=y").body()).isEqualTo("y");
    }

    @Test
    void malformedJsonIsABadRequest() {
        assertThatThrownBy(() -> parse("application/json", "{\"body\": "))
                .isInstanceOf(BadRequestException.class)
                .hasMessageStartingWith("malformed JSON: ");
    }

    @Test
    void emptyOrNonObjectJsonIsABadRequest() {
        String message = "JSON body must be an object like {\"body\": \"package main...\"}";
        assertThatThrownBy(() -> parse("application/json", "")).hasMessage(message);
        assertThatThrownBy(() -> parse("application/json", "null")).hasMessage(message);
        assertThatThrownBy(() -> parse("application/json", "[\"package main\"]")).hasMessage(message);
        assertThatThrownBy(() -> parse("application/json", "\"package main\"")).hasMessage(message);
    }

    @Test
    void jsonBodyThatIsNotAStringIsABadRequest() {
        assertThatThrownBy(() -> parse("application/json", "{\"body\": 42}"))
                .isInstanceOf(BadRequestException.class)
                .hasMessage("JSON needs a string field \"body\"");
        assertThatThrownBy(() -> parse("application/json", "{\"withVet\": true}"))
                .hasMessage("JSON needs a string field \"body\"");
    }

    @Test
    void jsonWithVetThatIsNotABooleanIsABadRequest() {
        assertThatThrownBy(() -> parse("application/json", "{\"body\": \"x\", \"withVet\": \"true\"}"))
                .isInstanceOf(BadRequestException.class)
                .hasMessage("JSON field \"withVet\" must be true or false");
    }

    @Test
    void invalidUtf8RawBodyIsABadRequest() {
        byte[] body = {'p', 'k', 'g', ' ', (byte) 0xff, (byte) 0xfe, '\n'};

        assertThatThrownBy(() -> parser.parse("text/plain", body, false))
                .isInstanceOf(BadRequestException.class)
                .hasMessage("request body is not valid UTF-8");
    }

    @Test
    void invalidUtf8FormIsABadRequest() {
        byte[] body = {'b', 'o', 'd', 'y', '=', (byte) 0xc3};

        assertThatThrownBy(() -> parser.parse(FORM, body, false)).hasMessage("request body is not valid UTF-8");
    }

    @Test
    void invalidUtf8JsonIsABadRequest() {
        byte[] body = {'{', '"', 'b', 'o', 'd', 'y', '"', ':', '"', (byte) 0xff, '"', '}'};

        assertThatThrownBy(() -> parser.parse("application/json", body, false)).isInstanceOf(BadRequestException.class);
    }

    @Test
    void percentEncodedInvalidUtf8InAFormIsABadRequest() {
        assertThatThrownBy(() -> parse(FORM, "body=%FF")).isInstanceOf(BadRequestException.class);
    }

    @Test
    void multiByteUtf8SurvivesEveryEncoding() throws BadRequestException {
        String src = "package main\n// héllo, 世界 🙂\n";

        assertThat(parse("text/plain", src).body()).isEqualTo(src);
        assertThat(parse(FORM, "body=" + URLEncoder.encode(src, UTF_8)).body()).isEqualTo(src);
        assertThat(parse("application/json", "{\"body\": \"package main\\n// h\\u00e9llo, 世界 🙂\\n\"}").body())
                .isEqualTo(src);
    }

    @Test
    void importsComesFromTheFormTheJsonOrTheQueryAsThePlaygroundsFmtReadsIt() throws BadRequestException {
        assertThat(parse("application/x-www-form-urlencoded", "body=x&imports=true").imports()).isTrue();
        assertThat(parse("application/x-www-form-urlencoded", "body=x&imports=1").imports()).isTrue();
        assertThat(parse("application/x-www-form-urlencoded", "body=x&imports=").imports()).isFalse();
        assertThat(parse("application/json", "{\"body\":\"x\",\"imports\":true}").imports()).isTrue();
        assertThat(parser.parse("text/plain", "x".getBytes(UTF_8), new CompileRequest("", false, true)).imports()).isTrue();
        assertThatThrownBy(() -> parse("application/json", "{\"body\":\"x\",\"imports\":\"yes\"}"))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("imports");
    }

    @Test
    void benchFieldsAreReadFromFormsAndJson() throws BadRequestException {
        assertThat(parse(FORM, "body=x&bench=1&benchPattern=Sort%2Fsmall&benchRun=TestA"))
                .isEqualTo(new CompileRequest("x", false, true, "Sort/small", "TestA"));
        assertThat(parse(FORM, "body=x&bench=false")).isEqualTo(new CompileRequest("x", false, false, null, null));
        assertThat(parse("application/json", "{\"body\":\"x\",\"Bench\":true,\"BENCHPATTERN\":\"S\",\"benchRun\":null}"))
                .isEqualTo(new CompileRequest("x", false, true, "S", null));
        assertThat(parse("text/plain", "bench=1")).isEqualTo(new CompileRequest("bench=1", false)); // a program
        assertThatThrownBy(() -> parse(FORM, "body=x&bench=on")).hasMessageStartingWith("bench must be 1 or true");
    }

    @Test
    void benchIsOnWhenTheQueryOrTheBodySaysSoAndTheBodysPatternWins() throws BadRequestException {
        CompileRequest none = new CompileRequest("x", false);
        assertThat(parser.bench(none, null, null, null)).isNull();
        assertThat(parser.bench(none, "0", null, null)).isNull();
        assertThat(parser.bench(none, "1", null, null)).isEqualTo(dev.compilerd.sandbox.Bench.ALL);
        assertThat(parser.bench(none, "true", "Q", "R")).isEqualTo(new dev.compilerd.sandbox.Bench("Q", "R"));
        assertThat(parser.bench(new CompileRequest("x", false, true, "B", null), null, "Q", "R"))
                .isEqualTo(new dev.compilerd.sandbox.Bench("B", "R"));
        assertThat(parser.bench(new CompileRequest("x", false, false, null, null), "1", null, null))
                .isEqualTo(dev.compilerd.sandbox.Bench.ALL);
        assertThatThrownBy(() -> parser.bench(none, null, "Q", null)).hasMessage("benchPattern and benchRun need bench=1");
        assertThatThrownBy(() -> parser.bench(none, "1", "\u00e9".repeat(129), null))
                .hasMessage("benchPattern is over 256 bytes");
        assertThatThrownBy(() -> parser.bench(none, "1", null, "a\tb")).hasMessage("benchRun has a control character");
    }
}
