package dev.almanac.script.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one script as a separate process inside bubblewrap: new user, PID, IPC, UTS, cgroup, mount and (unless the
 * version was approved with network access and the operator enabled it) network namespaces, and no further user
 * namespaces inside; a read-only view of the system's programs and libraries only, a read-only {@code /dev}; a private,
 * size-limited {@code /tmp} as the only writable place besides a 1 MB {@code /dev/shm}; an
 * environment made of exactly what the caller gives; CPU time, address space, processes, open files and file size
 * limited with {@code prlimit} inside the sandbox; output bounded here. Stopping a run kills bubblewrap, whose PID
 * namespace dies with it, and every descendant this JVM can still see.
 *
 * <p>When Almanac runs as root, bubblewrap starts through {@code setpriv} as an unprivileged user: the kernel does not
 * apply the process limit to root, and an unprivileged user cannot gain back what the sandbox takes away.
 */
public final class Sandbox {

    private static final Logger log = LoggerFactory.getLogger(Sandbox.class);

    /** Inside the sandbox the script's file is here, read-only. */
    static final String SCRIPT_DIRECTORY = "/script";

    private static final Duration POLL = Duration.ofMillis(20);
    private static final Duration DRAIN = Duration.ofSeconds(5);
    private static final int NOBODY = 65534;

    /** {@code /dev/shm}: enough for POSIX semaphores and a little shared memory, not a second {@code /tmp}. */
    static final long SHM_SIZE = 1024 * 1024;

    /** The bubblewrap option that keeps a script from making user namespaces of its own (bubblewrap 0.8). */
    private static final String DISABLE_USERNS = "--disable-userns";

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private final ScriptProperties properties;

    /** Where each run's source is written: owner-only, under the data directory; emptied at start-up. */
    private final Path runs;

    /** Whether the configured bubblewrap knows {@link #DISABLE_USERNS}; asked once. */
    private volatile Boolean bwrapDisablesUserns;

    /**
     * @param runs where each run's source is written while it runs; created owner-only if missing, and emptied of
     *     what runs before a crash left there
     */
    public Sandbox(ScriptProperties properties, Path runs) {
        this.properties = properties;
        this.runs = runs.toAbsolutePath().normalize();
        removeLeftovers();
    }

    private void removeLeftovers() {
        try {
            Files.createDirectories(runs, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            Files.setPosixFilePermissions(runs, OWNER_ONLY);
            try (Stream<Path> leftovers = Files.list(runs)) {
                leftovers.forEach(leftover -> {
                    log.info("Removing {}, left by a script run that did not end", leftover);
                    deleteQuietly(leftover);
                });
            }
        } catch (IOException e) {
            log.warn("Cannot prepare {} for the scripts' sources: {}", runs, e.getMessage());
        }
    }

    /** What to run. {@code environment} is the whole environment the script gets; nothing else reaches it. */
    public record Run(
            Path interpreter,
            String fileName,
            String source,
            String stdin,
            Map<String, String> environment,
            boolean network,
            Duration timeout) {}

    /**
     * The kernel refused to start the run (E2BIG, "Argument list too long"): one environment variable is over 128 KiB
     * (MAX_ARG_STRLEN), or the arguments and environment together over its bound (a quarter of the stack limit).
     */
    public static final class EnvironmentTooLarge extends IOException {

        EnvironmentTooLarge(IOException cause) {
            super(
                    "the kernel refused to start it: its environment variables are too large (E2BIG, argument list"
                            + " too long); one may hold at most 128 KiB, all of them together about a quarter of the"
                            + " stack limit (ulimit -s)",
                    cause);
        }
    }

    /** How a run ended. */
    public enum Ending {
        /** The script ended by itself; see the exit code. */
        EXITED,
        /** It ran past its timeout and was killed. */
        TIMED_OUT,
        /** Someone stopped it and it was killed. */
        STOPPED,
        /** It wrote more than the output limit and was killed. */
        OUTPUT_LIMIT
    }

    /** The outcome: how it ended, its exit code (meaningful for {@link Ending#EXITED}), and how much it wrote. */
    public record Outcome(Ending ending, int exitCode, long outputBytes) {}

    /** Receives the script's output, line by line, from two threads (stdout and stderr). */
    public interface Output {
        /**
         * One line, without its line break.
         *
         * @param stderr whether it came from stderr
         * @param line the line, decoded as UTF-8
         * @param whole false for a line longer than the sandbox keeps (four bytes per character of the line length):
         *     only its start is here, ending on a whole character, and a secret at its end may be cut too
         */
        void line(boolean stderr, String line, boolean whole);
    }

    /**
     * Why scripts cannot run in a sandbox here, with what to install; empty when they can.
     *
     * @return the reason, or empty
     */
    public Optional<String> unavailable() {
        if (!properties.unsandboxed() && !Files.isExecutable(properties.bwrap())) {
            return Optional.of("bubblewrap is not installed (" + properties.bwrap()
                    + " not found): install it with apt-get install bubblewrap, or set almanac.scripts.bwrap");
        }
        if (!properties.unsandboxed() && !bwrapDisablesUserns()) {
            return Optional.of("bubblewrap at " + properties.bwrap() + " is older than 0.8 (it has no "
                    + DISABLE_USERNS + ", so a script could make a user namespace and mount a tmpfs of any size):"
                    + " install bubblewrap 0.8 or later, or set almanac.scripts.bwrap");
        }
        if (!Files.isExecutable(properties.prlimit())) {
            return Optional.of("prlimit is not installed (" + properties.prlimit()
                    + " not found): install it with apt-get install util-linux, or set almanac.scripts.prlimit");
        }
        if (runningAsRoot() && !Files.isExecutable(properties.setpriv())) {
            return Optional.of("Almanac runs as root and setpriv is not installed (" + properties.setpriv()
                    + " not found): install it with apt-get install util-linux, or set almanac.scripts.setpriv");
        }
        return Optional.empty();
    }

    /**
     * Runs the script and waits for it; never leaves a process behind.
     *
     * @param stopRequested asked every few milliseconds; true stops the run
     * @throws InterruptedException when the calling thread is interrupted; the run is killed first
     */
    public Outcome run(Run run, Output output, BooleanSupplier stopRequested) throws IOException, InterruptedException {
        // unsandboxed as root, the interpreter opens its file as the sandbox's user, who cannot pass through the data
        // directory: the development switch writes it to the system's temporary directory, owner-only, for that user
        boolean handedToTheSandboxUser = properties.unsandboxed() && runningAsRoot();
        Path directory = handedToTheSandboxUser
                ? Files.createTempDirectory("almanac-script-", PosixFilePermissions.asFileAttribute(OWNER_ONLY))
                : Files.createTempDirectory(runs, "run-", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        try {
            Path file = Files.createFile(
                    directory.resolve(run.fileName()),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, run.source(), StandardCharsets.UTF_8);
            if (handedToTheSandboxUser) {
                // the interpreter itself opens the file, as the sandbox's user
                Files.setAttribute(directory, "unix:uid", properties.sandboxUid());
                Files.setAttribute(file, "unix:uid", properties.sandboxUid());
            }
            ProcessBuilder builder = new ProcessBuilder(command(run, file))
                    .directory(properties.unsandboxed() ? directory.toFile() : new java.io.File("/"));
            builder.environment().clear();
            builder.environment().putAll(run.environment());
            Process process;
            try {
                process = builder.start();
            } catch (IOException refused) {
                if (refused.getMessage() != null && refused.getMessage().contains("error=7,")) {
                    throw new EnvironmentTooLarge(refused);
                }
                throw refused;
            }
            return supervise(process, run, output, stopRequested);
        } finally {
            deleteQuietly(directory);
        }
    }

    private boolean bwrapDisablesUserns() {
        Boolean known = bwrapDisablesUserns;
        if (known == null) {
            known = helpMentions(properties.bwrap(), DISABLE_USERNS);
            bwrapDisablesUserns = known;
        }
        return known;
    }

    private static boolean helpMentions(Path program, String option) {
        try {
            Process process = new ProcessBuilder(program.toString(), "--help")
                    .redirectErrorStream(true)
                    .start();
            process.getOutputStream().close();
            String help = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(10, TimeUnit.SECONDS);
            return help.contains(option);
        } catch (IOException e) {
            log.warn("Could not ask {} for its options: {}", program, e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    List<String> command(Run run, Path file) {
        ScriptProperties.Limits limits = properties.limits();
        List<String> command = new ArrayList<>();
        int uid = runningAsRoot() ? properties.sandboxUid() : ownUid();
        if (!properties.unsandboxed()) {
            // opened here, before setpriv drops root: bubblewrap copies it in from descriptor 3, so neither the
            // file nor its directory need be readable by the sandbox's user
            command.addAll(List.of("/bin/sh", "-c", "exec 3<\"$0\" && exec \"$@\"", file.toString()));
        }
        if (runningAsRoot()) {
            command.addAll(List.of(
                    properties.setpriv().toString(),
                    "--reuid=" + uid,
                    "--regid=" + uid,
                    "--clear-groups",
                    "--inh-caps=-all"));
        }
        String scriptPath;
        if (properties.unsandboxed()) {
            scriptPath = file.toString();
        } else {
            scriptPath = SCRIPT_DIRECTORY + "/" + run.fileName();
            // --disable-userns: a nested user namespace could mount a tmpfs of its own, outside every limit here
            command.addAll(
                    List.of(properties.bwrap().toString(), "--unshare-all", "--unshare-user", "--disable-userns"));
            if (run.network()) {
                command.add("--share-net");
            }
            command.addAll(List.of(
                    "--die-with-parent",
                    "--new-session",
                    "--uid",
                    Integer.toString(NOBODY),
                    "--gid",
                    Integer.toString(NOBODY),
                    "--hostname",
                    "sandbox"));
            List<Path> visible = new ArrayList<>(
                    properties.readOnlyPaths().stream().map(Path::of).toList());
            if (run.network()) {
                Stream.of("/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/ssl", "/etc/ca-certificates")
                        .map(Path::of)
                        .forEach(visible::add);
            }
            for (Path path : visible) {
                readOnly(path, command);
            }
            command.addAll(List.of(
                    "--proc",
                    "/proc",
                    "--dev",
                    "/dev",
                    "--perms",
                    "1777",
                    "--size",
                    Long.toString(SHM_SIZE),
                    "--tmpfs",
                    "/dev/shm",
                    // bubblewrap's /dev is a writable tmpfs of no size: read-only, its device nodes still work
                    "--remount-ro",
                    "/dev",
                    "--size",
                    Long.toString(limits.tmpSize().toBytes()),
                    "--tmpfs",
                    "/tmp",
                    "--ro-bind-data",
                    "3",
                    scriptPath,
                    // bubblewrap's root is a writable tmpfs: read-only, it leaves /tmp the only writable place
                    "--remount-ro",
                    "/",
                    "--chdir",
                    "/tmp",
                    "--"));
        }
        command.addAll(List.of(
                properties.prlimit().toString(),
                // SIGXCPU at the soft limit says why; the hard limit a second later kills what ignores it
                "--cpu=" + Math.max(1, limits.cpuTime().toSeconds()) + ":"
                        + (Math.max(1, limits.cpuTime().toSeconds()) + 1),
                "--as=" + (run.fileName().endsWith(".js") ? limits.nodeMemory() : limits.memory()).toBytes(),
                // the kernel counts the tasks of the user across the machine: allow this many more than it has now
                "--nproc=" + (tasksOf(uid) + limits.processes()),
                "--nofile=" + limits.openFiles(),
                "--fsize=" + limits.fileSize().toBytes(),
                "--core=0",
                "--",
                run.interpreter().toString(),
                scriptPath));
        return command;
    }

    private static void readOnly(Path path, List<String> command) {
        if (Files.isSymbolicLink(path)) {
            try {
                command.addAll(List.of("--symlink", Files.readSymbolicLink(path).toString(), path.toString()));
            } catch (IOException unreadable) {
                log.warn("Scripts will not see {}: {}", path, unreadable.getMessage());
            }
        } else if (Files.exists(path)) {
            command.addAll(List.of("--ro-bind", path.toString(), path.toString()));
        }
    }

    private Outcome supervise(Process process, Run run, Output output, BooleanSupplier stopRequested)
            throws InterruptedException {
        ScriptProperties.Limits limits = properties.limits();
        AtomicLong written = new AtomicLong();
        AtomicBoolean overflow = new AtomicBoolean();
        long limit = limits.output().toBytes();
        Thread stdin = daemon("stdin", () -> feed(process.getOutputStream(), run.stdin()));
        Thread stdout =
                daemon("stdout", () -> read(process.getInputStream(), false, output, written, overflow, limit, limits));
        Thread stderr =
                daemon("stderr", () -> read(process.getErrorStream(), true, output, written, overflow, limit, limits));
        long deadline = System.nanoTime() + run.timeout().toNanos();
        Ending ending = Ending.EXITED;
        try {
            while (!process.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
                if (overflow.get()) {
                    ending = Ending.OUTPUT_LIMIT;
                } else if (stopRequested.getAsBoolean()) {
                    ending = Ending.STOPPED;
                } else if (System.nanoTime() - deadline >= 0) {
                    ending = Ending.TIMED_OUT;
                }
                if (ending != Ending.EXITED) {
                    kill(process);
                    break;
                }
            }
        } catch (InterruptedException interrupted) {
            kill(process);
            throw interrupted;
        } finally {
            process.waitFor(DRAIN.toMillis(), TimeUnit.MILLISECONDS);
            stdout.join(DRAIN.toMillis());
            stderr.join(DRAIN.toMillis());
            stdin.interrupt();
        }
        if (ending == Ending.EXITED && overflow.get()) {
            ending = Ending.OUTPUT_LIMIT;
        }
        return new Outcome(ending, process.isAlive() ? -1 : process.exitValue(), written.get());
    }

    private static Thread daemon(String stream, Runnable work) {
        Thread thread = new Thread(work, "script-" + stream);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void feed(OutputStream in, String stdin) {
        try (in) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException closedEarly) {
            // the script ended or closed stdin without reading it all: nothing to tell
        }
    }

    /**
     * Splits a stream into lines, keeps at most four bytes per character of the line length of each, and stops
     * counting at the output limit. Lines are not cut to the line length here: that comes after the run's secrets
     * are masked, so that a cut never leaves the start of one.
     */
    private static void read(
            InputStream stream,
            boolean isStderr,
            Output output,
            AtomicLong written,
            AtomicBoolean overflow,
            long limit,
            ScriptProperties.Limits limits) {
        byte[] buffer = new byte[8192];
        LineBuffer line = new LineBuffer(limits.lineLength() * 4);
        try (stream) {
            int n;
            while ((n = stream.read(buffer)) > 0) {
                if (written.addAndGet(n) > limit) {
                    overflow.set(true);
                    n -= (int) Math.min(n, written.get() - limit);
                }
                for (int i = 0; i < n; i++) {
                    byte b = buffer[i];
                    if (b == '\n') {
                        line.emit(isStderr, output);
                    } else {
                        line.add(b);
                    }
                }
                if (overflow.get()) {
                    break;
                }
            }
            line.emitRest(isStderr, output);
        } catch (IOException closed) {
            line.emitRest(isStderr, output);
        }
    }

    /** One line being read: its first bytes up to a bound, and whether any were left out. */
    private static final class LineBuffer {

        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        private final int maxBytes;
        private boolean cut;

        LineBuffer(int maxBytes) {
            this.maxBytes = maxBytes;
        }

        void add(byte b) {
            if (bytes.size() < maxBytes) {
                bytes.write(b);
            } else {
                cut = true;
            }
        }

        void emitRest(boolean isStderr, Output output) {
            if (bytes.size() > 0 || cut) {
                emit(isStderr, output);
            }
        }

        void emit(boolean isStderr, Output output) {
            byte[] kept = bytes.toByteArray();
            String text;
            if (cut) {
                text = new String(kept, 0, wholeCharacters(kept), StandardCharsets.UTF_8);
            } else {
                text = new String(kept, StandardCharsets.UTF_8);
                if (text.endsWith("\r")) {
                    text = text.substring(0, text.length() - 1);
                }
            }
            output.line(isStderr, text, !cut);
            bytes.reset();
            cut = false;
        }

        /** How many of the bytes end on a whole UTF-8 character: a character cut at the bound is left out. */
        private static int wholeCharacters(byte[] utf8) {
            for (int start = utf8.length - 1; start >= Math.max(0, utf8.length - 4); start--) {
                int b = utf8[start] & 0xFF;
                if ((b & 0xC0) != 0x80) {
                    int length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
                    return utf8.length - start < length ? start : utf8.length;
                }
            }
            return utf8.length;
        }
    }

    /** Kills bubblewrap (its PID namespace dies with it) and every descendant still visible from here. */
    static void kill(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    private static void deleteQuietly(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            log.warn("Could not delete the script's directory {}: {}", directory, e.getMessage());
        }
    }

    static boolean runningAsRoot() {
        return ownUid() == 0;
    }

    private static int ownUid() {
        return statusField(Path.of("/proc/self/status"), "Uid:")
                .map(Integer::parseInt)
                .orElse(-1);
    }

    /** How many tasks (threads included) the user has now: what RLIMIT_NPROC is compared with. */
    static long tasksOf(int uid) {
        long tasks = 0;
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes
                    .filter(path -> path.getFileName().toString().chars().allMatch(Character::isDigit))
                    .toList()) {
                Path status = process.resolve("status");
                if (statusField(status, "Uid:").map(Integer::parseInt).orElse(-1) == uid) {
                    tasks +=
                            statusField(status, "Threads:").map(Long::parseLong).orElse(1L);
                }
            }
        } catch (IOException e) {
            log.debug("Cannot count the tasks of uid {}: {}", uid, e.getMessage());
        }
        return tasks;
    }

    private static Optional<String> statusField(Path status, String field) {
        try (Stream<String> lines = Files.lines(status)) {
            return lines.filter(line -> line.startsWith(field))
                    .map(line -> line.substring(field.length()).trim().split("\\s+")[0])
                    .findFirst();
        } catch (IOException | java.io.UncheckedIOException gone) {
            return Optional.empty();
        }
    }
}
