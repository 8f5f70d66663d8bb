package dev.compilerd.modules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.compilerd.modules.ProxyRequest.BadPathException;
import dev.compilerd.modules.ProxyRequest.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProxyRequestTest {
    @ParameterizedTest
    @ValueSource(strings = {
        "golang.org/x/tour/@v/list",
        "golang.org/x/tour/@latest",
        "golang.org/x/tour/@v/v0.1.0.info",
        "golang.org/x/tour/@v/v0.1.0.mod",
        "golang.org/x/tour/@v/v0.1.0.zip",
        "github.com/!azure/azure-sdk-for-go/@v/v1.0.0.zip",
        "github.com/!burnt!sushi/toml/@v/v1.3.2.mod",
        "example.com/m/v2/@v/v2.3.4-rc.1.zip",
        "example.com/m/@v/v4.1.2+incompatible.zip",
        "example.com/m/@v/v0.0.0-20240102030405-abcdef123456.mod",
        "gopkg.in/yaml.v3/@v/v3.0.1.zip",
        "gopkg.in/check.v1/@v/v0.0.0-20161208181325-20d25e280405.mod",
        "example.com/m/@v/master.info",
        "example.com/m/@v/!my!branch.info",
        "example.com/a_b.c~d+e/f-g/@v/v1.0.0.info",
    })
    void acceptsWhatTheGoCommandSends(String path) throws BadPathException {
        assertThat(ProxyRequest.parse(path).path()).isEqualTo(path);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "/golang.org/x/tour/@v/list",
        "golang.org/x/tour",
        "golang.org/x/tour/@v/",
        "golang.org/x/tour/@v/v1.0.0",
        "golang.org/x/tour/@v/v1.0.0.tar",
        "golang.org/x/tour/@v/list/extra",
        "golang.org/x/tour/@latest/x",
        "github.com/Azure/sdk/@v/list",
        "github.com/!Azure/sdk/@v/list",
        "github.com/!/sdk/@v/list",
        "github.com/azure!/@v/list",
        "Golang.org/x/@v/list",
        "localhost/m/@v/list",
        "-example.com/m/@v/list",
        "example.com/../etc/@v/list",
        "example.com//m/@v/list",
        "example.com/m//@v/list",
        "example.com/.m/@v/list",
        "example.com/m./@v/list",
        "example.com/m n/@v/list",
        "example.com/m%2f/@v/list",
        "example.com/é/@v/list",
        "example.com/con/@v/list",
        "example.com/aux.go/@v/list",
        "example.com/m/v1/@v/list",
        "example.com/m/v0/@v/list",
        "example.com/m/v02/@v/list",
        "example.com/m/v2.1/@v/list",
        "gopkg.in/yaml/@v/list",
        "gopkg.in/yaml.v01/@v/list",
        "example.com/m/@v/1.0.0.zip",
        "example.com/m/@v/v1.0.zip",
        "example.com/m/@v/v01.0.0.mod",
        "example.com/m/@v/v1.0.0+meta.zip",
        "example.com/m/@v/v1.0.0-.zip",
        "example.com/m/@v/v1.0.0-01.zip",
        "example.com/m/@v/v2.0.0.zip",
        "example.com/m/v2/@v/v1.0.0.zip",
        "example.com/m/v3/@v/v2.0.0+incompatible.zip",
        "example.com/m/@v/master.zip",
        "example.com/m/@v/V1.0.0.info",
        "example.com/m/@v/.info",
        "example.com/m/@v/a b.info",
        "example.com/m/@v/a#b.info",
        "example.com/m/@v/con.info",
    })
    void refusesEverythingElseAndSaysWhy(String path) {
        assertThatThrownBy(() -> ProxyRequest.parse(path)).isInstanceOf(BadPathException.class)
                .satisfies(e -> assertThat(e.getMessage()).isNotBlank());
    }

    @Test
    void refusalsNameTheRuleThePathBroke() {
        assertThatThrownBy(() -> ProxyRequest.parse("github.com/Azure/sdk/@v/list"))
                .hasMessageContaining("upper case is written !x");
        assertThatThrownBy(() -> ProxyRequest.parse("localhost/m/@v/list")).hasMessageContaining("missing dot");
        assertThatThrownBy(() -> ProxyRequest.parse("example.com/m/@v/v2.0.0.zip"))
                .hasMessage("version v2.0.0 does not match module path example.com/m (want v0 or v1)");
        assertThatThrownBy(() -> ProxyRequest.parse("example.com/m/@v/v1.0.zip")).hasMessageContaining("not canonical");
        assertThatThrownBy(() -> ProxyRequest.parse("x".repeat(3000))).hasMessageContaining("longer than 2048");
    }

    @Test
    void percentEncodingAsTheGoCommandWritesItIsDecodedFirst() throws BadPathException {
        assertThat(ProxyRequest.parse("github.com/%21burnt%21sushi/toml/@v/v1.3.2.mod").path())
                .isEqualTo("github.com/!burnt!sushi/toml/@v/v1.3.2.mod");
        assertThat(ProxyRequest.parse("example.com/m/@v/v4.1.2%2Bincompatible.zip").path())
                .isEqualTo("example.com/m/@v/v4.1.2+incompatible.zip");
        assertThatThrownBy(() -> ProxyRequest.parse("example.com/m%2F..%2Fx/@v/list")).hasMessageContaining("double dot");
        assertThatThrownBy(() -> ProxyRequest.parse("example.com/m/@v/list%")).hasMessageContaining("percent-encoding");
        assertThatThrownBy(() -> ProxyRequest.parse("example.com/m/@v/list%C3%A9")).hasMessageContaining("non-ASCII");
        assertThatThrownBy(() -> ProxyRequest.parse("example.com/m/@v/list%0A")).isInstanceOf(BadPathException.class);
    }

    @Test
    void aVersionsFilesAreImmutableAndListsLatestAndBranchQueriesAreNot() throws BadPathException {
        assertThat(ProxyRequest.parse("example.com/m/@v/v1.0.0.info").immutable()).isTrue();
        assertThat(ProxyRequest.parse("example.com/m/@v/v1.0.0.mod").immutable()).isTrue();
        assertThat(ProxyRequest.parse("example.com/m/@v/v1.0.0.zip").immutable()).isTrue();
        assertThat(ProxyRequest.parse("example.com/m/@v/list").immutable()).isFalse();
        assertThat(ProxyRequest.parse("example.com/m/@latest").immutable()).isFalse();
        assertThat(ProxyRequest.parse("example.com/m/@v/main.info").immutable()).isFalse();
        assertThat(ProxyRequest.parse("example.com/m/@v/v1.info").immutable()).as("short form: a query").isFalse();
    }

    @Test
    void contentTypesFollowTheFile() throws BadPathException {
        assertThat(ProxyRequest.parse("example.com/m/@v/v1.0.0.zip").contentType()).isEqualTo("application/zip");
        assertThat(ProxyRequest.parse("example.com/m/@v/v1.0.0.info").contentType()).isEqualTo("application/json");
        assertThat(ProxyRequest.parse("example.com/m/@latest").contentType()).isEqualTo("application/json");
        assertThat(ProxyRequest.parse("example.com/m/@v/v1.0.0.mod").contentType()).startsWith("text/plain");
        assertThat(ProxyRequest.parse("example.com/m/@v/list").kind()).isEqualTo(Kind.LIST);
    }

    @Test
    void checksumDatabasePathsCarryTheirNameAndImmutability() throws BadPathException {
        ProxyRequest lookup = ProxyRequest.parse("sumdb/sum.golang.org/lookup/github.com/!burnt!sushi/toml@v1.3.2");
        assertThat(lookup.kind()).isEqualTo(Kind.SUMDB_LOOKUP);
        assertThat(lookup.sumdb()).isEqualTo("sum.golang.org");
        assertThat(lookup.immutable()).isTrue();
        assertThat(ProxyRequest.parse("sumdb/sum.golang.org/supported").kind()).isEqualTo(Kind.SUMDB_SUPPORTED);
        assertThat(ProxyRequest.parse("sumdb/sum.golang.org/latest").immutable()).isFalse();
        assertThat(ProxyRequest.parse("sumdb/sum.golang.org/tile/8/0/001").immutable()).isTrue();
        assertThat(ProxyRequest.parse("sumdb/sum.golang.org/tile/8/0/x123/x456/789").immutable()).isTrue();
        assertThat(ProxyRequest.parse("sumdb/sum.golang.org/tile/8/1/456.p/12").immutable()).isFalse();
        ProxyRequest data = ProxyRequest.parse("sumdb/sum.golang.org/tile/8/data/x001/234");
        assertThat(data.immutable()).isTrue();
        assertThat(data.contentType()).startsWith("text/plain");
        assertThat(ProxyRequest.parse("sumdb/sum.golang.org/tile/8/2/000").contentType())
                .isEqualTo("application/octet-stream");
        assertThat(ProxyRequest.parse("sumdb/sum.golang.org/lookup/example.com/m@v2.0.0+incompatible").immutable()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "sumdb/",
        "sumdb/sum.golang.org",
        "sumdb/Sum.golang.org/latest",
        "sumdb/sum.golang.org/other",
        "sumdb/sum.golang.org/latest/x",
        "sumdb/sum.golang.org/lookup/example.com/m",
        "sumdb/sum.golang.org/lookup/example.com/m@v1",
        "sumdb/sum.golang.org/lookup/example.com/m@master",
        "sumdb/sum.golang.org/lookup/Example.com/m@v1.0.0",
        "sumdb/sum.golang.org/lookup/example.com/m@v2.0.0",
        "sumdb/sum.golang.org/tile/8/0",
        "sumdb/sum.golang.org/tile/8/0/1",
        "sumdb/sum.golang.org/tile/8/0/0001",
        "sumdb/sum.golang.org/tile/8/0/x000/001",
        "sumdb/sum.golang.org/tile/8/0/123/456",
        "sumdb/sum.golang.org/tile/0/0/001",
        "sumdb/sum.golang.org/tile/31/0/001",
        "sumdb/sum.golang.org/tile/08/0/001",
        "sumdb/sum.golang.org/tile/8/-1/001",
        "sumdb/sum.golang.org/tile/8/0/001.p/256",
        "sumdb/sum.golang.org/tile/8/0/001.p/0",
        "sumdb/sum.golang.org/tile/8/0/001.p/",
        "sumdb/sum.golang.org/tile/8/0/001.p",
        "sumdb/sum.golang.org/tile/8/dat/001",
        "sumdb/../etc/passwd",
    })
    void refusesMalformedChecksumDatabasePaths(String path) {
        assertThatThrownBy(() -> ProxyRequest.parse(path)).isInstanceOf(BadPathException.class);
    }

    @Test
    void caseEncodingRoundTripsAndRejectsWhatIsNotAnEncoding() {
        assertThat(ModulePaths.escape("github.com/GoogleCloudPlatform/cloudsql-proxy"))
                .isEqualTo("github.com/!google!cloud!platform/cloudsql-proxy");
        assertThat(ModulePaths.unescape("github.com/!google!cloud!platform/cloudsql-proxy"))
                .isEqualTo("github.com/GoogleCloudPlatform/cloudsql-proxy");
        assertThat(ModulePaths.unescape("github.com/!!x")).isNull();
        assertThat(ModulePaths.unescape("github.com/x!")).isNull();
        assertThat(ModulePaths.unescape("github.com/!X")).isNull();
        assertThat(ModulePaths.unescape("github.com/X")).isNull();
    }

    @Test
    void semanticVersionsFollowTheGoCommandsRules() {
        assertThat(Semver.canonical("v1")).isEqualTo("v1.0.0");
        assertThat(Semver.canonical("v1.2")).isEqualTo("v1.2.0");
        assertThat(Semver.canonical("v1.2.3+meta")).isEqualTo("v1.2.3");
        assertThat(Semver.canonical("v1.2.3-pre.1")).isEqualTo("v1.2.3-pre.1");
        assertThat(Semver.isValid("v1.2-pre")).isFalse();
        assertThat(Semver.isValid("v1.2.3-pre..1")).isFalse();
        assertThat(Semver.isValid("1.2.3")).isFalse();
        assertThat(Semver.compare("v1.10.0", "v1.9.0")).isPositive();
        assertThat(Semver.compare("v1.0.0", "v1.0.0-rc.1")).isPositive();
        assertThat(Semver.compare("v1.0.0-rc.2", "v1.0.0-rc.10")).isNegative();
        assertThat(Semver.compare("v1.0.0-alpha", "v1.0.0-1")).isPositive();
        assertThat(Semver.compare("v1.0.0-alpha", "v1.0.0-alpha.1")).isNegative();
        assertThat(Semver.compare("junk", "v0.0.1")).isNegative();
    }
}
