package dev.almanac.bench;

import dev.almanac.bench.Results.Metric;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark: Almanac's engine beside db-scheduler and Quartz on one PostgreSQL, the same workloads, the systems
 * interleaved within each run, every workload repeated; then a table on standard output, a Markdown report and PNG
 * charts. {@code --quick} is the smoke check the build runs.
 */
public final class Bench {

    static final Metric DRAIN = new Metric("drain", "executions per second", "exec/s", true);
    static final Metric LATE_P50 = new Metric("lateness", "p50", "ms", false);
    static final Metric LATE_P95 = new Metric("lateness", "p95", "ms", false);
    static final Metric LATE_P99 = new Metric("lateness", "p99", "ms", false);
    static final Metric LATE_MAX = new Metric("lateness", "max", "ms", false);

    /** -Dbench.trace=true prints progress every second while waiting. */
    private static final boolean TRACE = Boolean.getBoolean("bench.trace");

    private final Options options;
    private final Pg pg;
    private final Results results = new Results();
    /** Jobs per second each system scheduled at in its last drain, to know how far ahead lateness jobs must be due. */
    private final java.util.Map<String, Double> schedulingRate = new java.util.HashMap<>();

    private final Machine machine;

    Bench(Options options) {
        this.options = options;
        this.pg = new Pg(options.dbUrl(), options.dbUser(), options.dbPassword());
        this.machine = new Machine(pg);
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Path report = new Bench(options).run();
        System.out.println("Report: " + report.toAbsolutePath());
        System.exit(0);
    }

    /** Runs everything the options ask for and writes the report; returns its path. */
    Path run() throws Exception {
        Instant began = Instant.now();
        pg.dropLeftovers();
        machine.sample("start");
        System.out.printf(
                "Almanac bench%s on %s (PostgreSQL %s), %d run(s)%n",
                options.quick() ? " (quick)" : "", options.dbUrl(), pg.version(), options.runs());
        AlmanacWorkloads almanac = new AlmanacWorkloads(options, pg, results, machine);
        Footprint footprint = new Footprint(options, pg, results, almanac);
        for (int run = 1; run <= options.runs(); run++) {
            System.out.printf("%n== run %d of %d ==%n", run, options.runs());
            if (options.runs("drain") || options.runs("lateness")) {
                List<String> order = rotate(options.systems(), run - 1);
                for (String system : order) {
                    scheduling(system, run);
                }
            }
            if (options.runs("registry") || options.runs("api")) {
                almanac.registryAndApi(run);
            }
            if (options.runs("footprint")) {
                footprint.run(run);
            }
            machine.sample("after run " + run);
            if (run < options.runs()) {
                // a report of the runs so far, should the rest be interrupted
                new Report(options, results, machine, Duration.between(began, Instant.now()), run).write();
            }
        }
        if (options.runs("history")) {
            almanac.history();
            machine.sample("after history");
        }
        Duration took = Duration.between(began, Instant.now());
        Files.createDirectories(options.out());
        Report report = new Report(options, results, machine, took, options.runs());
        System.out.println();
        System.out.println(report.table());
        return report.write();
    }

    /** The order of systems in run {@code shift + 1}: each run starts with a different one. */
    static List<String> rotate(List<String> systems, int shift) {
        List<String> order = new ArrayList<>(systems);
        if (!order.isEmpty()) {
            java.util.Collections.rotate(order, -(shift % order.size()));
        }
        return order;
    }

    Contender contender(String key) {
        int threads = options.threads();
        return switch (key) {
            case "almanac-1" -> new AlmanacContender(pg, 1, threads);
            case "almanac-3" -> new AlmanacContender(pg, 3, threads);
            case "dbs-fetch-1" -> new DbSchedulerContender(pg, false, 1, threads);
            case "dbs-fetch-3" -> new DbSchedulerContender(pg, false, 3, threads);
            case "dbs-lock-1" -> new DbSchedulerContender(pg, true, 1, threads);
            case "dbs-lock-3" -> new DbSchedulerContender(pg, true, 3, threads);
            case "quartz-1" -> new QuartzContender(pg, 1, threads);
            case "quartz-3" -> new QuartzContender(pg, 3, threads);
            default -> throw new IllegalArgumentException("unknown system " + key);
        };
    }

    /**
     * Unmeasured drains of {@code warmupJobs} on the instances about to be measured, one after another until
     * {@code warmupSeconds} have passed (at least one), so that the measured run is of compiled code. The JIT compiler
     * took a core through Almanac's first drains and was still at it through the second and third of 20 000 jobs (a
     * whole application context has far more code to compile than the peers). Each drain is cut off after 30 s
     * (Quartz). Until 2026-12-03 the warm-up ran once per system in instances of its own, and each run booted fresh
     * ones: booting a second context in the same JVM made its start-up code hot, and the C2 compiler took 0.45-0.6 of
     * a core through the measured Almanac drain that followed (0.03 in one instance after 100 s).
     */
    private void warm(Contender contender, Pg.Schema schema) throws Exception {
        long until =
                System.nanoTime() + Duration.ofSeconds(options.warmupSeconds()).toNanos();
        int drains = 0;
        long jobs = 0;
        double seconds = 0;
        do {
            Drained warm = drainNow(contender, schema, options.warmupJobs(), Duration.ofSeconds(30));
            contender.pause();
            contender.reset();
            drains++;
            jobs += warm.finished();
            seconds += warm.seconds();
        } while (System.nanoTime() < until);
        System.out.printf(
                Locale.ROOT,
                "   %s: warm-up, %d drains, %d jobs in %.1f s, not measured%n",
                contender.label(),
                drains,
                jobs,
                seconds);
    }

    /** Drain, then lateness, for one system in one run, on a schema of its own. */
    private void scheduling(String key, int run) throws Exception {
        Contender contender = contender(key);
        results.label(key, contender.label());
        Pg.Schema schema = pg.createSchema("r" + run + "_" + key);
        System.out.printf("-- %s%n", contender.label());
        try {
            contender.prepare(schema);
            if (options.warmupJobs() > 0) {
                warm(contender, schema);
            }
            awaitCompilerIdle(contender);
            if (options.runs("drain")) {
                drain(contender, schema, run);
                contender.pause();
                contender.reset();
            }
            if (options.runs("lateness")) {
                lateness(contender, schema, run);
            }
        } catch (Exception e) {
            results.note("run " + run + ", " + contender.label() + ": failed: " + e);
            e.printStackTrace();
        } finally {
            contender.close();
            pg.drop(schema);
        }
    }

    /**
     * Waits until the JIT compiler has been idle for a second (at most 60 s) after a system started. Booting a fresh
     * application context makes its start-up code hot a second time in this JVM: the compiler then took 0.6 of a core
     * through the measured drain that followed, with the warm-up's drains long done (thread CPU, 2026-12-03). A
     * system is measured as it runs once started, not while the JIT compiles its boot.
     */
    private static void awaitCompilerIdle(Contender contender) throws InterruptedException {
        var compiler = ManagementFactory.getCompilationMXBean();
        if (compiler == null || !compiler.isCompilationTimeMonitoringSupported()) {
            return;
        }
        long began = System.nanoTime();
        long deadline = began + Duration.ofSeconds(60).toNanos();
        long before = compiler.getTotalCompilationTime();
        while (System.nanoTime() < deadline) {
            Thread.sleep(1_000);
            long now = compiler.getTotalCompilationTime();
            if (now - before < 20) {
                break;
            }
            before = now;
        }
        System.out.printf(
                Locale.ROOT,
                "   %s: compiler idle after %.1f s%n",
                contender.label(),
                (System.nanoTime() - began) / 1e9);
    }

    /** How one drain went: jobs finished, seconds from the start until then, and seconds it took to schedule them. */
    private record Drained(long finished, double seconds, double scheduleSeconds) {}

    /**
     * {@code n} jobs due now, scheduled while no instance executes; then the schema is analyzed (as autovacuum would
     * after such a write) and all start, until done or {@code limit}.
     */
    private Drained drainNow(Contender contender, Pg.Schema schema, int n, Duration limit) throws Exception {
        long[] due = new long[n];
        java.util.Arrays.fill(due, System.currentTimeMillis());
        Probe.expect(due);
        long scheduling = System.nanoTime();
        contender.schedule(due);
        double scheduleSeconds = (System.nanoTime() - scheduling) / 1e9;
        pg.analyze(schema);
        long began = System.nanoTime();
        contender.start();
        long finished = awaitFinished(contender, n, began, limit);
        return new Drained(finished, (System.nanoTime() - began) / 1e9, scheduleSeconds);
    }

    /** {@code drainJobs} jobs due now, scheduled while no instance executes; then all start: executions/s. */
    private void drain(Contender contender, Pg.Schema schema, int run) throws Exception {
        int n = options.drainJobs();
        Duration limit = Duration.ofSeconds(options.drainMaxSeconds());
        Drained drained = drainNow(contender, schema, n, limit);
        long finished = drained.finished();
        double seconds = drained.seconds();
        double scheduleSeconds = drained.scheduleSeconds();
        schedulingRate.put(contender.key(), n / Math.max(0.001, scheduleSeconds));
        if (finished < n) {
            results.note(String.format(
                    Locale.ROOT,
                    "run %d, %s: drain cut off after %d s with %d of %d done; counted as %d / %.1f s",
                    run,
                    contender.label(),
                    limit.toSeconds(),
                    finished,
                    n,
                    finished,
                    seconds));
        }
        int duplicates = Probe.duplicates();
        if (duplicates > 0) {
            results.note("run " + run + ", " + contender.label() + ": " + duplicates + " job(s) ran more than once");
        }
        double rate = finished / seconds;
        results.add(DRAIN, contender.key(), rate);
        System.out.printf(
                Locale.ROOT,
                "   drain: %d jobs in %.2f s = %.0f exec/s (scheduling them took %.2f s)%n",
                finished,
                seconds,
                rate,
                scheduleSeconds);
    }

    /**
     * A steady {@code latenessRate} jobs/s falling due for {@code latenessSeconds}: scheduled ahead while no instance
     * executes, then the instances start. Only jobs due at least one second after every instance started count.
     */
    private void lateness(Contender contender, Pg.Schema schema, int run) throws Exception {
        int n = options.latenessRate() * options.latenessSeconds();
        // leave time to schedule them all before the first falls due: at the rate the drain saw, with a margin
        double rate = schedulingRate.getOrDefault(contender.key(), 1000.0);
        long base = System.currentTimeMillis() + 3_000 + (long) (n / rate * 1500);
        long[] due = new long[n];
        for (int i = 0; i < n; i++) {
            due[i] = base + (long) i * 1000 / options.latenessRate();
        }
        Probe.expect(due);
        contender.schedule(due);
        pg.analyze(schema);
        contender.start();
        long countFrom = System.currentTimeMillis() + 1_000;
        if (countFrom > base) {
            results.note(String.format(
                    Locale.ROOT,
                    "run %d, %s: scheduling ran %d ms past the first due time; those jobs are not counted",
                    run,
                    contender.label(),
                    countFrom - base));
        }
        long began = System.nanoTime();
        Duration limit =
                Duration.ofMillis(due[n - 1] - System.currentTimeMillis() + options.latenessTailSeconds() * 1000L);
        long finished = awaitFinished(contender, n, began, limit);
        long cutOff = System.currentTimeMillis();
        long[] late = Probe.lateness(countFrom, cutOff);
        int missing = Probe.missing(countFrom);
        if (missing == 0 && finished < n) {
            results.note(String.format(
                    Locale.ROOT,
                    "run %d, %s: lateness: every job started, but only %d of %d were recorded finished %d s after the"
                            + " last was due",
                    run,
                    contender.label(),
                    finished,
                    n,
                    options.latenessTailSeconds()));
        } else if (missing > 0) {
            results.note(String.format(
                    Locale.ROOT,
                    "run %d, %s: lateness: %d counted job(s) had not started %d s after the last was due; they count"
                            + " as late as that cut-off (a lower bound)",
                    run,
                    contender.label(),
                    missing,
                    options.latenessTailSeconds()));
        }
        if (late.length == 0) {
            results.note("run " + run + ", " + contender.label() + ": lateness: no job counted");
            return;
        }
        results.add(LATE_P50, contender.key(), Results.percentile(late, 0.50));
        results.add(LATE_P95, contender.key(), Results.percentile(late, 0.95));
        results.add(LATE_P99, contender.key(), Results.percentile(late, 0.99));
        results.add(LATE_MAX, contender.key(), late[late.length - 1]);
        System.out.printf(
                Locale.ROOT,
                "   lateness (%d jobs): p50 %d ms, p95 %d ms, p99 %d ms, max %d ms%n",
                late.length,
                Results.percentile(late, 0.50),
                Results.percentile(late, 0.95),
                Results.percentile(late, 0.99),
                late[late.length - 1]);
    }

    /**
     * Waits until {@code n} jobs are recorded as finished in the database, or the limit passes. Until the job bodies
     * have run {@code n} times (counted in memory, the same for every system) only that count is watched; then the
     * database is polled every 25 ms. Polling it all along cost Almanac a quarter of PostgreSQL's time during a
     * drain (a count over an execution history that grows with every run), where the peers' counts shrink as their
     * rows are deleted: the measurement must not load the system it measures.
     */
    private static long awaitFinished(Contender contender, long n, long began, Duration limit) throws Exception {
        long deadline = began + limit.toNanos();
        long finished = 0;
        long traced = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long ran = Probe.ranCount();
            finished = ran >= n ? contender.finished(n) : ran;
            if (TRACE && System.nanoTime() - traced > 1_000_000_000L) {
                traced = System.nanoTime();
                System.out.printf(
                        Locale.ROOT,
                        "     %.1f s: %d finished, load %s%n",
                        (traced - began) / 1e9,
                        finished,
                        Machine.loadAverage());
            }
            if (finished >= n) {
                return finished;
            }
            Thread.sleep(25);
        }
        return contender.finished(n);
    }
}
