package dev.almanac.script.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.almanac.testing.WithSandbox;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

/** Real scripts in the real sandbox: what they cannot see, reach or exhaust, and that nothing outlives a run. */
@WithSandbox
class SandboxTests {

    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path SH = Path.of("/bin/sh");

    private final List<String> lines = new CopyOnWriteArrayList<>();

    static ScriptProperties properties(boolean unsandboxed) {
        return new ScriptProperties(
                WithSandbox.BWRAP,
                Path.of("/usr/bin/prlimit"),
                Path.of("/usr/bin/setpriv"),
                new ScriptProperties.Interpreters(PYTHON, SH, Path.of("/usr/bin/node")),
                List.of("/usr", "/bin", "/lib", "/lib64", "/etc/ld.so.cache"),
                65534,
                unsandboxed,
                true,
                new ScriptProperties.Limits(
                        Duration.ofSeconds(20),
                        Duration.ofSeconds(2),
                        DataSize.ofMegabytes(256),
                        16,
                        32,
                        DataSize.ofMegabytes(1),
                        DataSize.ofMegabytes(2),
                        DataSize.ofKilobytes(64),
                        200,
                        DataSize.ofGigabytes(2)));
    }

    /** Where runs write their source, as {@code <data-dir>/script-runs} in the application. */
    static final Path RUNS = Path.of("target/sandbox-tests/script-runs");

    private final Sandbox sandbox = new Sandbox(properties(false), RUNS);

    private Sandbox.Outcome python(String source) throws Exception {
        return run(PYTHON, "script.py", source, false, Duration.ofSeconds(20), () -> false);
    }

    private Sandbox.Outcome run(
            Path interpreter,
            String file,
            String source,
            boolean network,
            Duration timeout,
            java.util.function.BooleanSupplier stop)
            throws Exception {
        return sandbox.run(
                new Sandbox.Run(
                        interpreter,
                        file,
                        source,
                        "{\"greeting\":\"hello\"}",
                        Map.of("PATH", "/usr/bin:/bin", "HOME", "/tmp", "ALMANAC_PARAM_GREETING", "hello"),
                        network,
                        timeout),
                (stderr, line, whole) -> lines.add((stderr ? "err: " : "") + (whole ? "" : "cut: ") + line),
                stop);
    }

    @AfterEach
    void leavesNoProcessBehind() {
        assertThat(ProcessHandle.allProcesses()
                        .filter(p -> p.info().commandLine().orElse("").contains("/script/script."))
                        .map(p -> p.pid() + " " + p.info().commandLine().orElse(""))
                        .toList())
                .as("processes of a script still running")
                .isEmpty();
    }

    @Test
    void passesParametersOnStdinAndAsVariables() throws Exception {
        Sandbox.Outcome outcome = python("""
                import json, os, sys
                print(json.load(sys.stdin)["greeting"], os.environ["ALMANAC_PARAM_GREETING"])
                """);

        assertThat(outcome.ending()).isEqualTo(Sandbox.Ending.EXITED);
        assertThat(outcome.exitCode()).isZero();
        assertThat(lines).containsExactly("hello hello");
    }

    @Test
    void runsNodeAndShellToo() throws Exception {
        Sandbox.Outcome node = run(
                Path.of("/usr/bin/node"),
                "script.js",
                "process.stdin.on('data', d => console.log(JSON.parse(d).greeting + ' from node'))",
                false,
                Duration.ofSeconds(20),
                () -> false);
        Sandbox.Outcome sh = run(
                SH,
                "script.sh",
                "echo \"$ALMANAC_PARAM_GREETING from sh\"",
                false,
                Duration.ofSeconds(20),
                () -> false);

        assertThat(node.exitCode()).as(String.join("\n", lines)).isZero();
        assertThat(sh.exitCode()).isZero();
        assertThat(lines).containsExactlyInAnyOrder("hello from node", "hello from sh");
    }

    @Test
    void cannotReadShadowTheDataDirectoryOrAlmanacsEnvironment() throws Exception {
        Path dataDirectory = Path.of("target/test-data").toAbsolutePath();
        Sandbox.Outcome outcome = python("""
                import os
                for path in ["/etc/shadow", "/etc/passwd", "%s", "/root", "/work"]:
                    try:
                        open(path).read() if os.path.isfile(path) else os.listdir(path)
                        print("READ", path)
                    except OSError as e:
                        print("refused", path, type(e).__name__)
                for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
                    try:
                        print("environ", pid, open("/proc/%%s/environ" %% pid).read().replace("\\0", " "))
                    except OSError:
                        pass
                print("env", sorted(os.environ))
                """.formatted(dataDirectory));

        assertThat(outcome.exitCode()).isZero();
        assertThat(lines).noneMatch(line -> line.startsWith("READ"));
        assertThat(lines).contains("refused /etc/shadow FileNotFoundError");
        String everything = String.join("\n", lines);
        System.getenv().forEach((name, value) -> {
            if (value.length() > 3 && !List.of("PATH", "HOME", "LANG", "TMPDIR").contains(name)) {
                assertThat(everything).as("Almanac's %s", name).doesNotContain(name + "=" + value);
            }
        });
        // PWD comes from the sandbox's working directory, LC_CTYPE from Python's locale coercion
        assertThat(lines)
                .containsAnyOf(
                        "env ['ALMANAC_PARAM_GREETING', 'HOME', 'PATH', 'PWD']",
                        "env ['ALMANAC_PARAM_GREETING', 'HOME', 'LC_CTYPE', 'PATH', 'PWD']");
    }

    @Test
    void cannotWriteOutsideItsTmp() throws Exception {
        Sandbox.Outcome outcome = python("""
                for path in ["/usr/x", "/script/x", "/x", "/etc/x", "/proc/x", "/tmp/x"]:
                    try:
                        open(path, "w").write("x")
                        print("WROTE", path)
                    except OSError as e:
                        print("refused", path)
                """);

        assertThat(outcome.exitCode()).isZero();
        assertThat(lines)
                .containsExactly(
                        "refused /usr/x",
                        "refused /script/x",
                        "refused /x",
                        "refused /etc/x",
                        "refused /proc/x",
                        "WROTE /tmp/x");
    }

    /**
     * {@code /dev} and {@code /dev/shm} are tmpfs mounts and a nested user namespace may mount one of its own: none of
     * them counts against the memory limit, and the file size limit is per file, so each could fill the host's memory.
     */
    @Test
    void cannotWriteToDevFillDevShmOrMakeAUserNamespace() throws Exception {
        Sandbox.Outcome outcome = python("""
                import subprocess
                for path in ["/dev/x", "/dev/null"]:
                    try:
                        open(path, "w").write("x")
                        print("WROTE", path)
                    except OSError as e:
                        print("refused", path)
                written = 0
                try:
                    for i in range(8):
                        with open("/dev/shm/%d" % i, "wb") as f:
                            f.write(b"x" * 512 * 1024)
                            f.flush()
                            written += 512
                    print("WROTE 4 MB to /dev/shm")
                except OSError as e:
                    print("refused /dev/shm past", written, "KB")
                for command in (["unshare", "-U", "true"], ["unshare", "-Urm", "true"]):
                    code = subprocess.run(command, capture_output=True).returncode
                    print("unshare", "refused" if code else "ALLOWED", " ".join(command[1:]))
                """);

        assertThat(outcome.exitCode()).as(String.join("\n", lines)).isZero();
        assertThat(lines)
                .containsExactly(
                        "refused /dev/x",
                        "WROTE /dev/null",
                        "refused /dev/shm past 1024 KB",
                        "unshare refused -U true",
                        "unshare refused -Urm true");
    }

    @Test
    void aBubblewrapThatCannotDisableUserNamespacesIsUnavailable(@TempDir Path directory) throws Exception {
        Path oldBwrap = directory.resolve("bwrap");
        Files.writeString(oldBwrap, "#!/bin/sh\necho '    --unshare-all   Unshare every namespace'\n");
        Files.setPosixFilePermissions(oldBwrap, PosixFilePermissions.fromString("rwx------"));
        ScriptProperties p = properties(false);
        Sandbox old = new Sandbox(
                new ScriptProperties(
                        oldBwrap,
                        p.prlimit(),
                        p.setpriv(),
                        p.interpreters(),
                        p.readOnlyPaths(),
                        p.sandboxUid(),
                        false,
                        false,
                        p.limits()),
                RUNS);

        assertThat(old.unavailable())
                .hasValueSatisfying(reason -> assertThat(reason).contains("older than 0.8", "--disable-userns"));
        assertThat(sandbox.unavailable()).isEmpty();
    }

    @Test
    void cannotConnectToAListenerOnTheHostWithoutNetworkApproval() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            String connect = """
                    import socket
                    try:
                        socket.create_connection(("127.0.0.1", %d), timeout=3).close()
                        print("CONNECTED")
                    except OSError as e:
                        print("refused", type(e).__name__)
                    """.formatted(listener.getLocalPort());

            run(PYTHON, "script.py", connect, false, Duration.ofSeconds(20), () -> false);
            assertThat(lines).containsExactly("refused ConnectionRefusedError");

            lines.clear();
            run(PYTHON, "script.py", connect, true, Duration.ofSeconds(20), () -> false);
            assertThat(lines)
                    .as("approved with network access: the host's network is shared")
                    .containsExactly("CONNECTED");
        }
    }

    @Test
    void aForkBombHitsTheProcessLimitAndTheTimeoutKillsWhatIsLeft() throws Exception {
        Sandbox.Outcome outcome = run(
                SH, "script.sh", "bomb() { bomb | bomb & }; bomb; sleep 30", false, Duration.ofSeconds(3), () -> false);

        assertThat(outcome.ending()).isIn(Sandbox.Ending.TIMED_OUT, Sandbox.Ending.EXITED);
        assertThat(lines).anyMatch(line -> line.contains("fork") || line.contains("Cannot"));
    }

    @Test
    void anEndlessLoopIsKilledAtItsCpuLimit() throws Exception {
        Sandbox.Outcome outcome = python("while True: pass");

        assertThat(outcome.ending()).isEqualTo(Sandbox.Ending.EXITED);
        assertThat(outcome.exitCode()).as("SIGXCPU").isEqualTo(128 + 24);
    }

    @Test
    void tenGigabytesOfOutputAreStoppedAtTheOutputLimit() throws Exception {
        Sandbox.Outcome outcome = python("""
                import sys
                line = "x" * 1023 + "\\n"
                for _ in range(10 * 1024 * 1024):
                    sys.stdout.write(line)
                """);

        assertThat(outcome.ending()).isEqualTo(Sandbox.Ending.OUTPUT_LIMIT);
        assertThat(outcome.outputBytes()).isLessThan(10L * 1024 * 1024 * 1024);
        assertThat(lines.stream().mapToInt(String::length).sum()).isLessThanOrEqualTo(64 * 1024);
    }

    /**
     * The sandbox keeps four bytes per character of the line length (200 here) of a line, and says when it left the
     * rest out; a character cut at that bound is left out whole, so no broken character follows a secret's start.
     */
    @Test
    void aLineLongerThanTheSandboxKeepsArrivesAsItsStartEndingOnAWholeCharacter() throws Exception {
        Sandbox.Outcome outcome = python("""
                print("x" + "\\u00e9" * 500)
                print("y" * 1000)
                print("next")
                """);

        assertThat(outcome.exitCode()).isZero();
        assertThat(lines).containsExactly("cut: x" + "é".repeat(399), "cut: " + "y".repeat(800), "next");
    }

    @Test
    void aFourGigabyteAllocationFailsAtTheMemoryLimit() throws Exception {
        Sandbox.Outcome outcome = python("""
                block = bytearray(4 * 1024 * 1024 * 1024)
                print("ALLOCATED")
                """);

        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(lines).noneMatch(line -> line.equals("ALLOCATED"));
        assertThat(lines).anyMatch(line -> line.contains("MemoryError"));
    }

    @Test
    void aTimeoutKillsTheWholeProcessTree() throws Exception {
        Sandbox.Outcome outcome = run(
                SH,
                "script.sh",
                "sleep 100 & sleep 100 & echo started; wait",
                false,
                Duration.ofSeconds(1),
                () -> false);

        assertThat(outcome.ending()).isEqualTo(Sandbox.Ending.TIMED_OUT);
        assertThat(lines).containsExactly("started");
    }

    @Test
    void aCancelKillsTheWholeProcessTree() throws Exception {
        AtomicBoolean cancelled = new AtomicBoolean();
        Thread canceller = new Thread(() -> {
            while (!lines.contains("started")) {
                Thread.onSpinWait();
            }
            cancelled.set(true);
        });
        canceller.start();

        Sandbox.Outcome outcome = run(
                SH,
                "script.sh",
                "sleep 100 & sleep 100 & echo started; wait",
                false,
                Duration.ofSeconds(30),
                cancelled::get);

        assertThat(outcome.ending()).isEqualTo(Sandbox.Ending.STOPPED);
    }

    @Test
    void anInterruptedRunIsKilledBeforeTheInterruptionIsPassedOn() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread runner = new Thread(() -> {
            try {
                run(SH, "script.sh", "echo started; sleep 100", false, Duration.ofSeconds(30), () -> false);
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        runner.start();
        while (!lines.contains("started")) {
            Thread.onSpinWait();
        }
        runner.interrupt();
        runner.join(10_000);

        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    }

    /**
     * The source is on the host while its run lasts: owner-only under the data directory, not world-readable in
     * {@code /tmp}; what a killed JVM left there is removed when the next sandbox starts.
     */
    @Test
    void theSourceIsOwnerOnlyUnderTheDataDirectoryWhileItRunsAndLeftoversGoAtStart(@TempDir Path dataDirectory)
            throws Exception {
        Path runs = dataDirectory.resolve("script-runs");
        Path leftover =
                Files.createDirectories(runs.resolve("run-left-by-a-crash")).resolve("script.py");
        Files.writeString(leftover, "print('secret sauce')");
        Sandbox fresh = new Sandbox(properties(false), runs);
        assertThat(runs).isEmptyDirectory();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(runs)))
                .isEqualTo("rwx------");

        List<String> seen = new CopyOnWriteArrayList<>();
        Sandbox.Outcome outcome = fresh.run(
                new Sandbox.Run(PYTHON, "script.py", "print('started')", "{}", Map.of(), false, Duration.ofSeconds(20)),
                (stderr, line, whole) -> {
                    lines.add(line);
                    try (var running = Files.walk(runs)) {
                        running.filter(path -> !path.equals(runs)).forEach(path -> {
                            try {
                                seen.add(runs.relativize(path).getNameCount() + " "
                                        + PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
                            } catch (java.io.IOException gone) {
                                seen.add("gone");
                            }
                        });
                    } catch (java.io.IOException e) {
                        seen.add(e.toString());
                    }
                },
                () -> false);

        assertThat(outcome.exitCode()).as(String.join("\n", lines)).isZero();
        assertThat(lines).containsExactly("started");
        assertThat(seen).containsExactlyInAnyOrder("1 rwx------", "2 rw-------");
        assertThat(runs).isEmptyDirectory();
    }

    /**
     * The development switch, as root: the interpreter opens its file as the sandbox's user, who passes through the
     * owner-only directory of the runs' sources; it could not, and every script failed with "permission denied".
     */
    @Test
    void unsandboxedTheInterpreterReadsItsSource(@TempDir Path dataDirectory) throws Exception {
        Sandbox unsandboxed = new Sandbox(properties(true), dataDirectory.resolve("script-runs"));

        Sandbox.Outcome outcome = unsandboxed.run(
                new Sandbox.Run(
                        PYTHON,
                        "script.py",
                        "print('read my source')",
                        "{}",
                        Map.of("PATH", "/usr/bin:/bin", "HOME", "/tmp"),
                        false,
                        Duration.ofSeconds(20)),
                (stderr, line, whole) -> lines.add((stderr ? "err: " : "") + line),
                () -> false);

        assertThat(outcome.exitCode()).as(String.join("\n", lines)).isZero();
        assertThat(lines).contains("read my source");
    }

    /** A variable over the kernel's 128 KiB: a named refusal, not "Cannot run program", and no source is left. */
    @Test
    void anEnvironmentTheKernelRefusesIsNamedAndLeavesNothingBehind() throws Exception {
        assertThatThrownBy(() -> sandbox.run(
                        new Sandbox.Run(
                                SH,
                                "script.sh",
                                "echo never",
                                "{}",
                                Map.of("PATH", "/usr/bin:/bin", "ALMANAC_PARAM_BIG", "x".repeat(200 * 1024)),
                                false,
                                Duration.ofSeconds(20)),
                        (stderr, line, whole) -> lines.add(line),
                        () -> false))
                .isInstanceOf(Sandbox.EnvironmentTooLarge.class)
                .hasMessageContaining("environment variables are too large (E2BIG");
        assertThat(lines).isEmpty();
        try (var left = Files.list(RUNS)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void withoutBubblewrapTheSandboxSaysWhatToInstall() {
        ScriptProperties p = properties(false);
        Sandbox missing = new Sandbox(
                new ScriptProperties(
                        Path.of("/nonexistent/bwrap"),
                        p.prlimit(),
                        p.setpriv(),
                        p.interpreters(),
                        p.readOnlyPaths(),
                        p.sandboxUid(),
                        false,
                        false,
                        p.limits()),
                RUNS);

        assertThat(missing.unavailable())
                .hasValueSatisfying(reason -> assertThat(reason).contains("apt-get install bubblewrap"));
    }
}
