package dev.compilerd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Programs written to misbehave, against the real server, Docker, runsc and image: whatever a program does from
 * inside its sandbox ends in a 200 answer that says what happened, the server stays healthy, the next program
 * runs, and no container is left. Without a warm pool, so "no container left" is exact.
 */
class HostileIT {
    static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start("compilerd-it-hostile", "--pool", "0");
    }

    @AfterAll
    static void stop() throws Exception {
        server.stopCleanly();
    }

    @AfterEach
    void serverIsStillWellAndNothingIsLeft() throws Exception {
        assertThat(server.get("/healthz").statusCode()).isEqualTo(200);
        JsonNode hello = server.compileOk("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"still here\", "
                + System.nanoTime() + " > 0) }\n");
        assertThat(CompileIT.stdout(hello)).isEqualTo("still here true\n");
        await().atMost(Duration.ofSeconds(30)).until(() -> Docker.containers(server.prefix).isEmpty());
        assertThat(server.log()).doesNotContain("ERROR");
    }

    static JsonNode run(String body) throws Exception {
        return server.compileOk("package main\n\n" + body);
    }

    static String stderr(JsonNode r) {
        StringBuilder b = new StringBuilder();
        r.get("Events").forEach(e -> {
            if (e.get("Kind").asText().equals("stderr")) {
                b.append(e.get("Message").asText());
            }
        });
        return b.toString();
    }

    @Test
    void forkBombMeetsItsProcessLimitAndIsToldSo() throws Exception {
        JsonNode r = run("""
                import (
                	"fmt"
                	"os"
                	"os/exec"
                )

                func main() {
                	if len(os.Args) == 1 {
                		fmt.Println("bombing")
                	}
                	for {
                		exec.Command(os.Args[0], "child").Start()
                	}
                }
                """);
        assertThat(r.get("Errors").asText()).isEqualTo("process took too long");
        assertThat(CompileIT.stdout(r)).isEqualTo("bombing\n");
        assertThat(stderr(r)).contains("too many processes: the program reached its limit of 512 processes and threads");
    }

    @Test
    void aHundredChildProcessesRun() throws Exception {
        JsonNode r = run("""
                import (
                	"fmt"
                	"io"
                	"os"
                	"os/exec"
                )

                func main() {
                	if len(os.Args) > 1 {
                		io.Copy(io.Discard, os.Stdin) // wait until the parent lets go
                		return
                	}
                	var cmds []*exec.Cmd
                	var pipes []io.Closer
                	for i := 0; i < 100; i++ {
                		c := exec.Command(os.Args[0], "child")
                		w, _ := c.StdinPipe()
                		if err := c.Start(); err != nil {
                			fmt.Println("start", i, err)
                			return
                		}
                		cmds, pipes = append(cmds, c), append(pipes, w)
                	}
                	fmt.Println("running", len(cmds))
                	for _, p := range pipes {
                		p.Close()
                	}
                	ok := 0
                	for _, c := range cmds {
                		if c.Wait() == nil {
                			ok++
                		}
                	}
                	fmt.Println("exited cleanly", ok)
                }
                """);
        assertThat(r.get("Errors").asText()).isEmpty();
        assertThat(CompileIT.stdout(r)).isEqualTo("running 100\nexited cleanly 100\n");
    }

    @Test
    void fifteenExternalSleepProcessesRun() throws Exception {
        JsonNode r = run("""
                import (
                	"fmt"
                	"os/exec"
                )

                func main() {
                	var cmds []*exec.Cmd
                	for i := 0; i < 15; i++ {
                		c := exec.Command("sleep", "1")
                		if err := c.Start(); err != nil {
                			fmt.Println("start", i, err)
                			return
                		}
                		cmds = append(cmds, c)
                	}
                	ok := 0
                	for _, c := range cmds {
                		if c.Wait() == nil {
                			ok++
                		}
                	}
                	fmt.Println("sleeps done", ok)
                }
                """);
        assertThat(r.get("Errors").asText()).isEmpty();
        assertThat(CompileIT.stdout(r)).isEqualTo("sleeps done 15\n");
    }

    @Test
    void sixtyFourOsThreadsRun() throws Exception {
        JsonNode r = run("""
                import (
                	"fmt"
                	"os"
                	"runtime"
                	"strings"
                )

                func main() {
                	ready, stop := make(chan bool), make(chan bool)
                	for i := 0; i < 64; i++ {
                		go func() {
                			runtime.LockOSThread()
                			ready <- true
                			<-stop
                		}()
                	}
                	for i := 0; i < 64; i++ {
                		<-ready
                	}
                	status, _ := os.ReadFile("/proc/self/status")
                	for _, line := range strings.Split(string(status), "\\n") {
                		if strings.HasPrefix(line, "Threads:") {
                			var n int
                			fmt.Sscan(strings.TrimPrefix(line, "Threads:"), &n)
                			fmt.Println("at least 64 threads:", n >= 64)
                		}
                	}
                	close(stop)
                }
                """);
        assertThat(r.get("Errors").asText()).isEmpty();
        assertThat(CompileIT.stdout(r)).isEqualTo("at least 64 threads: true\n");
    }

    @Test
    void memoryBombRunsOutOfMemoryInsideItsOwnRuntime() throws Exception {
        JsonNode r = run("""
                import "fmt"

                func main() {
                	var keep [][]byte
                	for i := 1; ; i++ {
                		b := make([]byte, 16<<20)
                		for j := range b {
                			b[j] = 1
                		}
                		keep = append(keep, b)
                		if i%8 == 0 {
                			fmt.Println("MiB", i*16)
                		}
                	}
                }
                """);
        assertThat(r.get("Status").asInt()).isEqualTo(2);
        assertThat(stderr(r)).contains("runtime: out of memory", "fatal error: out of memory");
        assertThat(CompileIT.stdout(r)).startsWith("MiB 128\n");
    }

    @Test
    void goroutineBombRunsOutOfTimeOrMemory() throws Exception {
        JsonNode r = run("""
                func main() {
                	c := make(chan int)
                	for {
                		go func() { <-c }()
                	}
                }
                """);
        boolean timedOut = r.get("Errors").asText().equals("process took too long");
        boolean outOfMemory = stderr(r).contains("out of memory");
        assertThat(timedOut || outOfMemory).as(r.toString()).isTrue();
    }

    @Test
    void outputFloodIsCutAtTheCap() throws Exception {
        JsonNode r = run("""
                import "fmt"

                func main() {
                	for {
                		fmt.Println("flood flood flood flood flood flood flood flood flood flood")
                	}
                }
                """);
        assertThat(r.get("Errors").asText()).isEqualTo("Program output too large.");
        assertThat(CompileIT.allOutput(r).length()).isLessThanOrEqualTo(64 * 1024).isGreaterThan(60 * 1024);
    }

    @Test
    void killingEveryProcessItMayKillsNothingOfTheSandbox() throws Exception {
        // kill(-1) reaches every process the caller may signal but itself: here, none (the runner is another uid).
        JsonNode r = run("""
                import (
                	"fmt"
                	"syscall"
                )

                func main() {
                	fmt.Println("before")
                	syscall.Kill(-1, syscall.SIGKILL)
                	fmt.Println("after")
                }
                """);
        assertThat(r.get("Errors").asText()).isEmpty();
        assertThat(r.get("Status").asInt()).isZero();
        assertThat(CompileIT.stdout(r)).isEqualTo("before\nafter\n");
    }

    @Test
    void signallingTheRunnerIsNotPermitted() throws Exception {
        JsonNode r = run("""
                import (
                	"fmt"
                	"syscall"
                )

                func main() {
                	for _, s := range []syscall.Signal{syscall.SIGKILL, syscall.SIGSTOP, syscall.SIGABRT, syscall.SIGTERM} {
                		fmt.Println(s, syscall.Kill(1, s))
                	}
                }
                """);
        assertThat(r.get("Errors").asText()).isEmpty();
        assertThat(CompileIT.stdout(r)).isEqualTo("killed operation not permitted\nstopped (signal) operation not permitted\n"
                + "aborted operation not permitted\nterminated operation not permitted\n");
    }

    @Test
    void closingStdoutEndsNothingButItsOwnOutput() throws Exception {
        JsonNode r = run("""
                import (
                	"fmt"
                	"os"
                )

                func main() {
                	fmt.Println("one")
                	os.Stdout.Close()
                	fmt.Println("two")
                	fmt.Fprintln(os.Stderr, "stdout closed")
                }
                """);
        assertThat(r.get("Errors").asText()).isEmpty();
        assertThat(r.get("Status").asInt()).isZero();
        assertThat(CompileIT.stdout(r)).isEqualTo("one\n");
        assertThat(stderr(r)).isEqualTo("stdout closed\n");
    }

    /** Tries to reach the runner's stdout and stderr and to forge its result; prints what happened. */
    static final String FORGER = """
            import (
            	"fmt"
            	"os"
            )

            func main() {
            	forged := `{"phase":"build","errors":"forged compile error"}`
            	for _, fd := range []string{"/proc/1/fd/1", "/proc/1/fd/2"} {
            		f, err := os.OpenFile(fd, os.O_WRONLY, 0)
            		if err != nil {
            			fmt.Println(fd, "denied")
            			continue
            		}
            		fmt.Fprintln(f, forged)
            		f.Close()
            		fmt.Println(fd, "OPENED")
            	}
            }
            """;

    @Test
    void forgingTheResultThroughTheRunnersStdoutOrStderrIsDeniedAndNeverCached() throws Exception {
        JsonNode first = run(FORGER);
        assertThat(first.get("Errors").asText()).isEmpty();
        assertThat(CompileIT.stdout(first)).isEqualTo("/proc/1/fd/1 denied\n/proc/1/fd/2 denied\n");
        JsonNode again = run(FORGER); // a cache hit now: the true answer, not a forgery
        assertThat(again).isEqualTo(first);
        assertThat(server.log()).doesNotContain("forged compile error");
    }

    @Test
    void theRunnersEnvironmentIsEmpty() throws Exception {
        JsonNode r = run("""
                import (
                	"fmt"
                	"os"
                )

                func main() {
                	env, err := os.ReadFile("/proc/1/environ")
                	fmt.Printf("runner environment: %d bytes, %v\\n", len(env), err)
                }
                """);
        assertThat(CompileIT.stdout(r)).matches("runner environment: 0 bytes, (<nil>|open /proc/1/environ: permission denied)\n");
    }

    @Test
    void theProgramRunsAsItsOwnUnprivilegedUser() throws Exception {
        JsonNode r = run("""
                import (
                	"fmt"
                	"os"
                	"strings"
                )

                func main() {
                	status, _ := os.ReadFile("/proc/self/status")
                	for _, line := range strings.Split(string(status), "\\n") {
                		if strings.HasPrefix(line, "CapEff:") || strings.HasPrefix(line, "CapPrm:") {
                			fmt.Println(strings.Join(strings.Fields(line), " "))
                		}
                	}
                	fmt.Println("uid", os.Getuid(), os.Geteuid(), "gid", os.Getgid())
                	_, err := os.Create("/tmp/play.bin")
                	fmt.Println("replace the build:", err != nil)
                }
                """);
        assertThat(CompileIT.stdout(r)).isEqualTo("CapPrm: 0000000000000000\nCapEff: 0000000000000000\n"
                + "uid 65534 65534 gid 65534\nreplace the build: true\n");
    }
}
