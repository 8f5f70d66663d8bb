package dev.compilerd.compile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.compilerd.sandbox.RunnerContract;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TxtarTest {

    @Test
    void plainSourceIsProgGo() throws InvalidProgramException {
        String src = "package main\n\nfunc main() { println(\"-- not a marker\") }\n";

        assertThat(Txtar.split(src)).containsExactly(entry("prog.go", src));
    }

    @Test
    void emptyBodyIsAnEmptyProgGo() throws InvalidProgramException {
        assertThat(Txtar.split("")).containsExactly(entry("prog.go", ""));
    }

    @Test
    void txtarSplitsIntoFilesInOrderIncludingASubPackage() throws InvalidProgramException {
        String body = """
                -- go.mod --
                module play.ground
                -- main.go --
                package main

                import "play.ground/foo"

                func main() { foo.Bar() }
                -- util.go --
                package main
                -- foo/foo.go --
                package foo

                func Bar() {}
                """;

        Map<String, String> files = Txtar.split(body);

        assertThat(files).containsExactly(
                entry("go.mod", "module play.ground\n"),
                entry("main.go", "package main\n\nimport \"play.ground/foo\"\n\nfunc main() { foo.Bar() }\n"),
                entry("util.go", "package main\n"),
                entry("foo/foo.go", "package foo\n\nfunc Bar() {}\n"));
    }

    @Test
    void textBeforeTheFirstMarkerBecomesProgGo() throws InvalidProgramException {
        String body = "package main\n\nfunc main() {}\n-- go.mod --\nmodule m\n";

        assertThat(Txtar.split(body)).containsExactly(
                entry("prog.go", "package main\n\nfunc main() {}\n"),
                entry("go.mod", "module m\n"));
    }

    @Test
    void blankTextBeforeTheFirstMarkerIsDropped() throws InvalidProgramException {
        assertThat(Txtar.split("\n  \n-- a.go --\npackage main\n")).containsOnlyKeys("a.go");
    }

    @Test
    void markerOnTheLastLineWithoutNewlineIsAnEmptyFile() throws InvalidProgramException {
        assertThat(Txtar.split("-- a.go --\npackage main\n-- b.go --"))
                .containsExactly(entry("a.go", "package main\n"), entry("b.go", ""));
    }

    @Test
    void lineWithBlanksAfterTheMarkerIsContentAsInGosTxtar() throws InvalidProgramException {
        assertThat(Txtar.split("-- a.go -- \t\npackage main\n"))
                .containsExactly(entry("prog.go", "-- a.go -- \t\npackage main\n"));
    }

    @Test
    void crlfMarkerIsContentAsInGosTxtar() throws InvalidProgramException {
        assertThat(Txtar.split("package main\r\n-- go.mod --\r\nmodule play\r\n")).containsOnlyKeys("prog.go");
    }

    @Test
    void lastFileGetsAFinalNewlineAsInGosTxtar() throws InvalidProgramException {
        assertThat(Txtar.split("-- a.go --\npackage main\n-- b.go --\npackage main"))
                .containsEntry("b.go", "package main\n");
    }

    @Test
    void duplicateFileNameIsRejected() {
        assertThatThrownBy(() -> Txtar.split("-- a.go --\npackage main\n-- a.go --\npackage main\n"))
                .isInstanceOf(InvalidProgramException.class)
                .hasMessage("duplicate file name \"a.go\"");
    }

    @Test
    void explicitProgGoCollidesWithLeadingText() {
        assertThatThrownBy(() -> Txtar.split("package main\n-- prog.go --\npackage main\n"))
                .hasMessage("duplicate file name \"prog.go\"");
    }

    @Test
    void parentDirectoryElementIsRejected() {
        assertThatThrownBy(() -> Txtar.split("-- ../evil.go --\npackage main\n"))
                .isInstanceOf(InvalidProgramException.class)
                .hasMessage(notRelative("../evil.go"));
        assertThatThrownBy(() -> Txtar.split("-- a/../../b.go --\n"))
                .hasMessage(notRelative("a/../../b.go"));
        assertThatThrownBy(() -> Txtar.split("-- ./a.go --\n"))
                .hasMessage(notRelative("./a.go"));
    }

    @Test
    void absolutePathIsRejected() {
        assertThatThrownBy(() -> Txtar.split("-- /etc/passwd --\nroot\n"))
                .hasMessage(notRelative("/etc/passwd"));
    }

    @Test
    void emptyPathElementsAreRejected() {
        assertThatThrownBy(() -> Txtar.split("-- a//b.go --\n")).hasMessage(notRelative("a//b.go"));
        assertThatThrownBy(() -> Txtar.split("-- dir/ --\n")).hasMessage(notRelative("dir/"));
    }

    @Test
    void fourDirectoriesDeepIsTooDeepButThreeIsFine() throws InvalidProgramException {
        assertThat(Txtar.split("-- a/b/c/d.go --\npackage d\n")).containsOnlyKeys("a/b/c/d.go");
        assertThatThrownBy(() -> Txtar.split("-- a/b/c/d/e.go --\npackage e\n"))
                .hasMessage("invalid file name \"a/b/c/d/e.go\": nested too deeply (limit 4 levels)");
    }

    @Test
    void moreThanMaxFilesIsRejectedButExactlyMaxIsFine() throws InvalidProgramException {
        assertThat(Txtar.split(files(RunnerContract.RUNNER.maxFiles()))).hasSize(RunnerContract.RUNNER.maxFiles());
        assertThatThrownBy(() -> Txtar.split(files(RunnerContract.RUNNER.maxFiles() + 1)))
                .hasMessage("too many files (limit " + RunnerContract.RUNNER.maxFiles() + ")");
    }

    @Test
    void leadingProgGoCountsTowardsTheFileLimit() {
        assertThatThrownBy(() -> Txtar.split("package main\n" + files(RunnerContract.RUNNER.maxFiles())))
                .hasMessage("too many files (limit " + RunnerContract.RUNNER.maxFiles() + ")");
    }

    @Test
    void badCharactersInANameAreRejected() {
        assertThatThrownBy(() -> Txtar.split("-- my file.go --\n"))
                .hasMessage("invalid file name \"my file.go\": use letters, digits, '.', '_', '-' and '/'");
        assertThatThrownBy(() -> Txtar.split("-- a\\b.go --\n"))
                .hasMessage("invalid file name \"a\\b.go\": use letters, digits, '.', '_', '-' and '/'");
        assertThatThrownBy(() -> Txtar.split("-- é.go --\n"))
                .hasMessageStartingWith("invalid file name \"é.go\"");
    }

    @Test
    void overlongNameIsRejectedWithATruncatedName() {
        String name = "a".repeat(RunnerContract.RUNNER.maxFileNameLength() - 3) + ".go";
        String tooLong = "a".repeat(RunnerContract.RUNNER.maxFileNameLength()) + ".go";

        assertThatThrownBy(() -> Txtar.split("-- " + tooLong + " --\n"))
                .hasMessage("invalid file name \"" + "a".repeat(40) + "…\": file name must have 1 to 128 characters");
        assertThatCode(() -> Txtar.split("-- " + name + " --\n")).doesNotThrowAnyException();
    }

    @Test
    void programWithoutAnyGoFileIsRejected() {
        assertThatThrownBy(() -> Txtar.split("-- go.mod --\nmodule m\n-- README --\nhi\n"))
                .isInstanceOf(InvalidProgramException.class)
                .hasMessage("no .go files in the program");
    }

    /** The message for a name that is absolute or has an empty, '.' or '..' element. */
    private static String notRelative(String name) {
        return "invalid file name \"" + name + "\": must be a relative path with no empty, '.' or '..' parts";
    }

    private static String files(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append("-- f").append(i).append(".go --\npackage main\n");
        }
        return b.toString();
    }

    @Test
    void namesFollowTheRunnersContractExamples() {
        for (String name : RunnerContract.RUNNER.fileNames().valid()) {
            assertThat(RunnerContract.RUNNER.checkName(name)).as(name).isEmpty();
        }
        for (String name : RunnerContract.RUNNER.fileNames().invalid()) {
            assertThat(RunnerContract.RUNNER.checkName(name)).as(name).isPresent();
        }
        assertThat(RunnerContract.RUNNER.fileNames().valid()).contains("a..b.go");
    }

    @Test
    void formatWritesTheFilesBackAsGosTxtarDoesKeepingTheirOrderAndHowProgGoWasWritten()
            throws InvalidProgramException {
        for (String body : new String[] {"package main\n", "package main\n-- z.go --\npackage main\n-- a.go --\nx\n",
                "-- prog.go --\npackage main\n-- go.mod --\nmodule m\n"}) {
            assertThat(Txtar.format(Txtar.parse(body))).isEqualTo(body);
        }
        assertThat(Txtar.parse("package main\n-- go.mod --\nmodule m\n").implicitProg()).isTrue();
        assertThat(Txtar.parse("\n-- prog.go --\npackage main\n").implicitProg()).isFalse();
        assertThat(Txtar.format(Txtar.parse("package main"))).as("every file ends in a newline").isEqualTo("package main\n");
    }
}
