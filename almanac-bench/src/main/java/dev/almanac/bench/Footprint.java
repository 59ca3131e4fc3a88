package dev.almanac.bench;

import dev.almanac.AlmanacApplication;
import dev.almanac.bench.Results.Metric;
import java.io.File;
import java.io.IOException;
import java.net.CookieManager;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a person and an operator meet, on one node in a process of its own started with the README's run command
 * ({@code -XX:SharedArchiveFile=... -XX:+UseSerialGC -Xms64m -Xmx256m}, see {@link #command}): start-up time to health UP, resident memory (idle, after the registry, after
 * the API load), the API mix at a fixed rate with p50/p99 per operation, one endpoint's throughput against
 * {@code /actuator/health} as the floor, and the server time of three pages.
 */
final class Footprint {

    static final String WORKLOAD = "footprint";
    static final Metric STARTUP = new Metric(WORKLOAD, "start-up to health UP", "s", false);
    static final Metric RSS_IDLE = new Metric(WORKLOAD, "RSS, idle after start-up", "MiB", false);
    static final Metric RSS_REGISTRY = new Metric(WORKLOAD, "RSS, after the registry", "MiB", false);
    static final Metric RSS_API = new Metric(WORKLOAD, "RSS, after the API load", "MiB", false);
    static final Metric RATE_ACHIEVED = new Metric(WORKLOAD, "API mix at a fixed rate, achieved", "req/s", true);
    static final Metric RATE_P50 = new Metric(WORKLOAD, "API mix at a fixed rate, p50", "ms", false);
    static final Metric RATE_P99 = new Metric(WORKLOAD, "API mix at a fixed rate, p99", "ms", false);
    static final Metric HEALTH_THROUGHPUT = new Metric(WORKLOAD, "GET /actuator/health throughput", "req/s", true);
    static final Metric GET_THROUGHPUT = new Metric(WORKLOAD, "GET /jobs/{id} throughput", "req/s", true);
    static final Metric GET_OF_FLOOR = new Metric(WORKLOAD, "GET /jobs/{id} / health throughput", "ratio", true);
    static final Metric PAGE_JOBS = new Metric(WORKLOAD, "page: job list", "ms", false);
    static final Metric PAGE_JOB = new Metric(WORKLOAD, "page: a job", "ms", false);
    static final Metric PAGE_EXECUTIONS = new Metric(WORKLOAD, "page: executions", "ms", false);
    private static final String SYSTEM = AlmanacWorkloads.SYSTEM;
    static final int CLIENTS = 8;
    static final int ROUNDS = 5;
    /** Loads of each page before its timed ones, so that the timed loads run compiled code. */
    private static final int PAGE_WARM_UP_LOADS = 100;
    /** The node's JIT compilers count as idle at this share of a core or less, over the window below. */
    private static final int COMPILER_IDLE_PERCENT = 5;

    private static final int COMPILER_WINDOW_SECONDS = 3;

    private final Options options;
    private final Pg pg;
    private final Results results;
    private final AlmanacWorkloads almanac;
    private String startedFrom = "";

    Footprint(Options options, Pg pg, Results results, AlmanacWorkloads almanac) {
        this.options = options;
        this.pg = pg;
        this.results = results;
        this.almanac = almanac;
    }

    void run(int run) throws Exception {
        Pg.Schema schema = pg.createSchema("r" + run + "_almanac_footprint");
        System.out.println("-- Almanac, 1 node in a process of its own: start-up, memory, API rate, pages");
        Path log = Files.createDirectories(options.out()).resolve("footprint-node-r" + run + ".log");
        int port = freePort();
        List<String> command;
        try {
            command = this.command(AlmanacContender.arguments(pg, schema, "bench-footprint", options.threads(), port));
        } catch (IOException | RuntimeException e) {
            pg.drop(schema);
            throw e;
        }
        long began = System.nanoTime();
        Process node = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            String base = "http://127.0.0.1:" + port;
            awaitHealthUp(node, base, log);
            double startup = (System.nanoTime() - began) / 1e9;
            results.add(STARTUP, SYSTEM, startup);
            results.note("run " + run + ", footprint: the node started from " + startedFrom);
            Thread.sleep(options.quick() ? 500 : 5_000);
            double idle = rssMiB(node);
            results.add(RSS_IDLE, SYSTEM, idle);

            Http http = Http.loggedIn(base + "/api/admin/scheduler", "admin", AlmanacContender.ADMIN_PASSWORD);
            registry(http, schema);
            double afterRegistry = rssMiB(node);
            results.add(RSS_REGISTRY, SYSTEM, afterRegistry);
            System.out.printf(
                    Locale.ROOT,
                    "   start-up to health UP %.1f s; RSS idle %.0f MiB, after %,d jobs %.0f MiB%n",
                    startup,
                    idle,
                    options.registryJobs(),
                    afterRegistry);

            List<String> ids = AlmanacWorkloads.jobIds(pg, schema);
            warmUp(run, http, base, ids, node);
            fixedRate(run, http, ids);
            throughput(http, ids, base);
            pages(base, ids.get(0));
            double afterApi = rssMiB(node);
            results.add(RSS_API, SYSTEM, afterApi);
            System.out.printf(Locale.ROOT, "   RSS after the API load %.0f MiB%n", afterApi);
        } catch (Exception e) {
            results.note("run " + run + ", footprint: failed: " + e + " (the node's log: " + log + ")");
            e.printStackTrace();
        } finally {
            node.destroy();
            if (!node.waitFor(30, TimeUnit.SECONDS)) {
                node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            pg.drop(schema);
        }
    }

    /** Where the README's build leaves the extracted application and its class-data-sharing archive. */
    private static final Path APPLICATION = Path.of("almanac-server", "target", "application");

    /**
     * The node's command line: this JVM's java with the README's flags. Where the README's build has left the extracted
     * application and its class-data-sharing archive, the node starts from them as the README's run command does, with
     * a small jar of the bench's no-op template after the application on the class path (the archive allows a class
     * path that extends the recorded one). Otherwise it starts from this JVM's class path, the template included: from
     * the bench's executable jar, through Spring Boot's {@code PropertiesLauncher}. {@code ALMANAC_BENCH_NODE_JAVA_OPTS}
     * adds JVM options (a flight recording, say).
     */
    private List<String> command(List<String> arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:+UseSerialGC");
        command.add("-Xms64m");
        command.add("-Xmx256m");
        String extra = System.getenv("ALMANAC_BENCH_NODE_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        Path jar = APPLICATION.resolve("almanac.jar").toAbsolutePath();
        Path archive = APPLICATION.resolve("almanac.jsa").toAbsolutePath();
        String mismatch = Files.isRegularFile(jar) && Files.isRegularFile(archive) ? differentClass(jar) : "";
        if (mismatch == null) {
            command.add("-XX:SharedArchiveFile=" + archive);
            command.add("-cp");
            command.add(jar + File.pathSeparator + templateJar());
            command.add(AlmanacApplication.class.getName());
            startedFrom = "the README's extracted jar and class-data-sharing archive (" + APPLICATION + ")";
        } else {
            String classPath = System.getProperty("java.class.path");
            command.add("-cp");
            command.add(classPath);
            boolean executableJar = !classPath.contains(File.pathSeparator) && classPath.endsWith(".jar");
            if (executableJar) {
                command.add("-Dloader.main=" + AlmanacApplication.class.getName());
                command.add("org.springframework.boot.loader.launch.PropertiesLauncher");
            } else {
                command.add(AlmanacApplication.class.getName());
            }
            startedFrom = mismatch.isEmpty()
                    ? "the bench's class path (no class-data-sharing archive: build with the README's command)"
                    : "the bench's class path (" + APPLICATION + " holds other server classes than the bench, "
                            + mismatch + " differs: build both with the README's command)";
        }
        command.addAll(arguments);
        return command;
    }

    /**
     * The first Almanac class of the extracted {@code jar} whose bytes differ from the one the bench runs with, or null
     * when all are the same: a jar left by an older build is not measured as if it were this one.
     */
    private static String differentClass(Path jar) throws IOException {
        ClassLoader bench = Footprint.class.getClassLoader();
        try (var application = new java.util.jar.JarFile(jar.toFile())) {
            for (var entries = application.entries(); entries.hasMoreElements(); ) {
                var entry = entries.nextElement();
                // a package-info of a package split with the template API may be found in that jar first
                if (!entry.getName().startsWith("dev/almanac/")
                        || !entry.getName().endsWith(".class")
                        || entry.getName().endsWith("/package-info.class")) {
                    continue;
                }
                try (var ours = bench.getResourceAsStream(entry.getName());
                        var theirs = application.getInputStream(entry)) {
                    if (ours == null || !java.util.Arrays.equals(ours.readAllBytes(), theirs.readAllBytes())) {
                        return entry.getName();
                    }
                }
            }
        }
        return null;
    }

    /**
     * A jar of the bench's no-op template, the probe it reports to and its service entry, in the temporary directory
     * (not among the results).
     */
    private Path templateJar() throws IOException {
        Path jar = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "almanac-bench"))
                .resolve("bench-noop-template.jar");
        String service = "META-INF/services/" + dev.almanac.template.JobTemplate.class.getName();
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            // the service entry is written, not copied: on a test class path the server's own may be found first
            out.putNextEntry(new java.util.jar.JarEntry(service));
            out.write((BenchNoopTemplate.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
            for (String entry : List.of(classFile(BenchNoopTemplate.class), classFile(Probe.class))) {
                try (var in = BenchNoopTemplate.class.getClassLoader().getResourceAsStream(entry)) {
                    if (in == null) {
                        throw new IOException("not on the bench's class path: " + entry);
                    }
                    out.putNextEntry(new java.util.jar.JarEntry(entry));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        return jar;
    }

    private static String classFile(Class<?> type) {
        return type.getName().replace('.', '/') + ".class";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void awaitHealthUp(Process node, String base, Path log) throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(1))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        HttpRequest health = HttpRequest.newBuilder(URI.create(base + "/actuator/health"))
                .timeout(Duration.ofSeconds(2))
                .build();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            if (!node.isAlive()) {
                throw new IOException("the node exited with " + node.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<String> response = client.send(health, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains("\"UP\"")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IOException("the node was not UP within 2 minutes; see " + log);
    }

    /** Resident set size of the node's process, from {@code /proc}; -1 where there is none. */
    private static double rssMiB(Process node) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(node.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return -1;
    }

    /** The registry workload's shape: creates through the API by 4 clients, the rest in bulk, a few list pages. */
    private void registry(Http http, Pg.Schema schema) throws Exception {
        int viaApi = options.registryApiCreates();
        AtomicInteger next = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                done.add(clients.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < viaApi) {
                        http.post("/jobs", AlmanacWorkloads.createBody("api-" + i, i));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            clients.shutdown();
        }
        almanac.bulkJobs(schema, "bulk-", options.registryJobs() - viaApi);
        pg.execute("VACUUM ANALYZE " + schema.name() + ".jobs");
        for (int i = 0; i < 10; i++) {
            http.get("/jobs?page=1&limit=50");
            http.get("/jobs?page=" + (1 + i) + "&limit=50");
        }
    }

    /**
     * The API mix and {@code /actuator/health} in turn from {@value #CLIENTS} closed-loop clients until the node's JIT
     * compilers have used at most {@value #COMPILER_IDLE_PERCENT} % of a core over {@value #COMPILER_WINDOW_SECONDS} s
     * (after at least 10 s, and at most {@link Options#footprintWarmupSeconds()}), so that the measured load meets
     * compiled code, as a node that has been up for a while does; a closed loop leaves no backlog behind. Failed
     * requests are counted, not fatal.
     */
    private void warmUp(int run, Http http, String base, List<String> ids, Process node) throws Exception {
        int limit = options.footprintWarmupSeconds();
        if (limit == 0) {
            return;
        }
        long began = System.nanoTime();
        long deadline = began + limit * 1_000_000_000L;
        long earliest = began + Math.min(10, limit) * 1_000_000_000L;
        AtomicInteger created = new AtomicInteger();
        AtomicLong failed = new AtomicLong();
        Http floor = Http.anonymous(base);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        boolean idle = false;
        double share = 0;
        try {
            for (int c = 0; c < CLIENTS; c++) {
                clients.execute(() -> {
                    while (!stop.get()) {
                        try {
                            var mixed = AlmanacWorkloads.mixed(
                                    http, ThreadLocalRandom.current(), ids, created, "warm-r" + run + "-");
                            if (!mixed.response().ok()) {
                                failed.incrementAndGet();
                            }
                            // the floor of the throughput measurement is warmed too, or it is measured half-compiled
                            if (!floor.get("/actuator/health").ok()) {
                                failed.incrementAndGet();
                            }
                        } catch (Exception e) {
                            failed.incrementAndGet();
                        }
                    }
                });
            }
            java.util.ArrayDeque<Long> window = new java.util.ArrayDeque<>();
            window.add(compilerTicks(node));
            while (System.nanoTime() < deadline) {
                Thread.sleep(1_000);
                window.add(compilerTicks(node));
                if (window.size() > COMPILER_WINDOW_SECONDS + 1) {
                    window.removeFirst();
                }
                // ticks of 10 ms: a full core is 100 a second
                share = (window.getLast() - window.getFirst()) / (window.size() - 1.0);
                if (window.size() > COMPILER_WINDOW_SECONDS
                        && share <= COMPILER_IDLE_PERCENT
                        && System.nanoTime() >= earliest) {
                    idle = true;
                    break;
                }
            }
        } finally {
            stop.set(true);
            clients.shutdown();
            clients.awaitTermination(1, TimeUnit.MINUTES);
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        String how = idle
                ? String.format(Locale.ROOT, "until the node's compilers were idle (%.0f %% of a core)", share)
                : String.format(Locale.ROOT, "cut off with the node's compilers still at %.0f %% of a core", share);
        System.out.printf(
                Locale.ROOT,
                "   warm-up: the API mix and health for %.0f s, %s; %d requests failed%n",
                seconds,
                how,
                failed.get());
        results.note(String.format(
                Locale.ROOT,
                "run %d, footprint: warm-up of %.0f s, %s; %d requests failed",
                run,
                seconds,
                how,
                failed.get()));
    }

    /** CPU ticks the node's JIT compiler threads have used, from {@code /proc}; 0 where there is none. */
    private static long compilerTicks(Process node) {
        long ticks = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(node.pid()), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm"));
                    if (name.startsWith("C2 Compiler") || name.startsWith("C1 Compiler")) {
                        String stat = Files.readString(task.resolve("stat"));
                        String[] fields =
                                stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                    }
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return ticks;
    }

    /**
     * The API mix sent at {@link Options#apiRate()} requests per second whatever the answers take (an open loop), for
     * {@link Options#apiSeconds()} after a warm-up; each latency counts from when its request was due, so a stall
     * shows in every request it held up.
     */
    private void fixedRate(int run, Http http, List<String> ids) throws Exception {
        int rate = options.apiRate();
        long interval = 1_000_000_000L / rate;
        long warmup = options.quick() ? 1_000_000_000L : 5_000_000_000L;
        long measured = options.apiSeconds() * 1_000_000_000L;
        Map<String, List<Long>> latencies = new ConcurrentHashMap<>();
        AlmanacWorkloads.API_OPS.forEach(op -> latencies.put(op, Collections.synchronizedList(new ArrayList<>())));
        Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
        AtomicInteger created = new AtomicInteger();
        String tag = "rate-r" + run + "-";
        ExecutorService senders = Executors.newFixedThreadPool(64);
        long start = System.nanoTime();
        long measureFrom = start + warmup;
        long end = measureFrom + measured;
        long sent = 0;
        try {
            for (long due = start; due < end; due += interval) {
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                long dueAt = due;
                boolean counted = due >= measureFrom;
                sent += counted ? 1 : 0;
                senders.execute(() -> {
                    try {
                        AlmanacWorkloads.Mixed mixed =
                                AlmanacWorkloads.mixed(http, ThreadLocalRandom.current(), ids, created, tag);
                        if (counted) {
                            latencies.get(mixed.op()).add(System.nanoTime() - dueAt);
                            if (!mixed.response().ok()) {
                                errors.computeIfAbsent(
                                                mixed.op() + " "
                                                        + mixed.response().status(),
                                                k -> new AtomicLong())
                                        .incrementAndGet();
                            }
                        }
                    } catch (Exception e) {
                        if (counted) {
                            errors.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicLong())
                                    .incrementAndGet();
                        }
                    }
                });
            }
        } finally {
            senders.shutdown();
            if (!senders.awaitTermination(2, TimeUnit.MINUTES)) {
                // answers still owed after two minutes are not waited for; the ones counted stay what they were
                senders.shutdownNow();
                results.note("run " + run + ", footprint: requests at the fixed rate still unanswered after 2 min");
            }
        }
        double seconds = (System.nanoTime() - measureFrom) / 1e9;
        List<Long> all = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String op : AlmanacWorkloads.API_OPS) {
            List<Long> answered;
            List<Long> shared = latencies.get(op);
            synchronized (shared) {
                answered = new ArrayList<>(shared);
            }
            long[] sorted =
                    answered.stream().mapToLong(Long::longValue).sorted().toArray();
            all.addAll(answered);
            if (sorted.length == 0) {
                continue;
            }
            double p50 = Results.percentile(sorted, 0.50) / 1e6;
            double p99 = Results.percentile(sorted, 0.99) / 1e6;
            results.add(new Metric(WORKLOAD, "fixed rate, " + op + " p50", "ms", false), SYSTEM, p50);
            results.add(new Metric(WORKLOAD, "fixed rate, " + op + " p99", "ms", false), SYSTEM, p99);
            line.append(String.format(Locale.ROOT, " %s p50 %.1f / p99 %.1f ms;", op, p50, p99));
        }
        long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
        if (sorted.length == 0) {
            results.note("run " + run + ", footprint: no request at the fixed rate completed");
            return;
        }
        results.add(RATE_ACHIEVED, SYSTEM, sorted.length / seconds);
        results.add(RATE_P50, SYSTEM, Results.percentile(sorted, 0.50) / 1e6);
        results.add(RATE_P99, SYSTEM, Results.percentile(sorted, 0.99) / 1e6);
        long failed = errors.values().stream().mapToLong(AtomicLong::get).sum();
        if (failed > 0) {
            results.note("run " + run + ", footprint: " + failed + " of " + sent + " requests at the fixed rate failed "
                    + new java.util.TreeMap<>(errors));
        }
        System.out.printf(
                Locale.ROOT,
                "   API mix at %d req/s for %d s: %.0f req/s answered, p50 %.1f ms, p99 %.1f ms;%s%n",
                rate,
                options.apiSeconds(),
                sorted.length / seconds,
                Results.percentile(sorted, 0.50) / 1e6,
                Results.percentile(sorted, 0.99) / 1e6,
                line);
    }

    /**
     * One endpoint as fast as {@value #CLIENTS} closed-loop clients can ask, health (the floor) and a job's read in
     * turn, {@value #ROUNDS} rounds of each: a machine whose speed drifts by tens of percent within a minute (compilers
     * finishing, other tenants) would otherwise favour whichever endpoint went second. Each figure is the median of its
     * rounds, and the ratio the median of the rounds' ratios.
     */
    private void throughput(Http http, List<String> ids, String base) throws Exception {
        Http floor = Http.anonymous(base);
        long measured = Math.max(1_000, options.apiSeconds() * 500L) / ROUNDS;
        double[] health = new double[ROUNDS];
        double[] get = new double[ROUNDS];
        double[] ratio = new double[ROUNDS];
        // the same threads throughout, so each keeps its two connections (one per endpoint) from round to round
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                health[round] = closedLoop(clients, () -> floor.get("/actuator/health"), measured);
                get[round] = closedLoop(
                        clients,
                        () -> http.get(
                                "/jobs/" + ids.get(ThreadLocalRandom.current().nextInt(ids.size()))),
                        measured);
                if (health[round] == 0 || get[round] == 0) {
                    throw new IllegalStateException("round " + (round + 1) + " of the throughput: no request answered"
                            + " (health " + health[round] + " req/s, GET /jobs/{id} " + get[round] + " req/s)");
                }
                ratio[round] = get[round] / health[round];
            }
        } finally {
            clients.shutdown();
        }
        results.add(HEALTH_THROUGHPUT, SYSTEM, median(health));
        results.add(GET_THROUGHPUT, SYSTEM, median(get));
        results.add(GET_OF_FLOOR, SYSTEM, median(ratio));
        System.out.printf(
                Locale.ROOT,
                "   throughput (%d clients, %d rounds in turn): /actuator/health %.0f req/s, GET /jobs/{id} %.0f req/s"
                        + " (%.2f of the floor; rounds %s)%n",
                CLIENTS,
                ROUNDS,
                median(health),
                median(get),
                median(ratio),
                Arrays.stream(ratio)
                        .mapToObj(r -> String.format(Locale.ROOT, "%.2f", r))
                        .toList());
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1
                ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private interface Request {
        Http.Response send() throws Exception;
    }

    /** Requests per second answered OK over {@code measured} ms, after half a second of the same unmeasured. */
    private static double closedLoop(ExecutorService clients, Request request, long measured) throws Exception {
        long warmup = 500;
        long measureFrom = System.currentTimeMillis() + warmup;
        long end = measureFrom + measured;
        AtomicLong answered = new AtomicLong();
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            done.add(clients.submit(() -> {
                long now;
                while ((now = System.currentTimeMillis()) < end) {
                    Http.Response response = request.send();
                    if (now >= measureFrom && response.ok()) {
                        answered.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        return answered.get() / (measured / 1000.0);
    }

    /** Signs in through the login form, then times each page: the median of 10 loads after {@value #PAGE_WARM_UP_LOADS}. */
    private void pages(String base, String job) throws Exception {
        HttpClient browser = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        String login = browser.send(
                        HttpRequest.newBuilder(URI.create(base + "/login")).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(login);
        if (!csrf.find()) {
            throw new IOException("no CSRF token on the login page");
        }
        String form = "username=admin&password="
                + URLEncoder.encode(AlmanacContender.ADMIN_PASSWORD, StandardCharsets.UTF_8) + "&_csrf="
                + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8);
        HttpResponse<String> signedIn = browser.send(
                HttpRequest.newBuilder(URI.create(base + "/login"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        String location = signedIn.headers().firstValue("Location").orElse("");
        if (signedIn.statusCode() != 302 || location.contains("error")) {
            throw new IOException("signing in through the form failed: " + signedIn.statusCode() + " " + location);
        }
        double jobs = page(browser, base + "/jobs", PAGE_JOBS);
        double one = page(browser, base + "/jobs/" + job, PAGE_JOB);
        double executions = page(browser, base + "/executions", PAGE_EXECUTIONS);
        System.out.printf(
                Locale.ROOT, "   pages: job list %.1f ms, a job %.1f ms, executions %.1f ms%n", jobs, one, executions);
    }

    private double page(HttpClient browser, String url, Metric metric) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).build();
        for (int i = 0; i < PAGE_WARM_UP_LOADS; i++) {
            HttpResponse<String> warm = browser.send(request, HttpResponse.BodyHandlers.ofString());
            if (warm.statusCode() != 200) {
                results.note(metric.name() + ": GET " + url + " answered " + warm.statusCode());
                return -1;
            }
        }
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            long began = System.nanoTime();
            browser.send(request, HttpResponse.BodyHandlers.ofString());
            times.add((System.nanoTime() - began) / 1e6);
        }
        Collections.sort(times);
        double median = Results.median(times);
        results.add(metric, SYSTEM, median);
        return median;
    }
}
