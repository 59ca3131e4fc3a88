package dev.almanac.testing;

import dev.almanac.AlmanacApplication;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One Almanac node in a JVM of its own, for the tests that kill or cut off a node: its log goes to
 * {@code target/test-data/nodes/<id>.log}; closing it kills the process. A shutdown hook kills every node still
 * running (and whatever it started) when the test JVM ends, even when surefire ends it before the test closed its
 * node: a node outliving its test would keep heartbeating and running jobs.
 */
public final class NodeProcess implements AutoCloseable {

    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> RUNNING.forEach(NodeProcess::destroyTree), "almanac-node-reaper"));
    }

    private final Process process;
    private final Path log;

    private NodeProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
        RUNNING.add(process);
    }

    /** Starts a node with {@code settings} ({@code almanac.engine.heartbeat-interval=500ms}, …). */
    public static NodeProcess start(String url, String nodeId, Map<String, Object> settings) throws IOException {
        Path log = Path.of("target", "test-data", "nodes", nodeId + ".log");
        Files.createDirectories(log.getParent());
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("almanac.db.url", url);
        all.put("almanac.db.user", PostgresTestDatabase.USER);
        all.put("almanac.db.password", PostgresTestDatabase.PASSWORD);
        all.put("almanac.engine.node-id", nodeId);
        all.put("almanac.data-dir", Path.of("target", "test-data", "nodes", nodeId));
        all.put("server.port", 0);
        all.putAll(settings);
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx384m",
                "-cp",
                System.getProperty("java.class.path"),
                AlmanacApplication.class.getName()));
        all.forEach((key, value) -> command.add("--" + key + "=" + value));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .directory(new File(System.getProperty("user.dir")))
                .start();
        return new NodeProcess(process, log);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** What the node logged so far. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Sends SIGTERM, as a service manager stopping the node does, and waits up to {@code limit} for the process to
     * end; true when it ended.
     */
    public boolean terminate(Duration limit) throws InterruptedException {
        process.destroy();
        return process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The process's exit code; only once it ended. */
    public int exitValue() {
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        destroyTree(process);
        process.waitFor(30, TimeUnit.SECONDS);
        RUNNING.remove(process);
    }

    private static void destroyTree(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
