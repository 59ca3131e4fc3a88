package dev.almanac.bench;

import dev.almanac.bench.Results.Metric;
import dev.almanac.engine.internal.Engine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The workloads only Almanac has a side of: the job registry at scale, the REST API under load, and history at
 * scale. Each runs against one real node (the server's application context with its HTTP port on loopback).
 */
final class AlmanacWorkloads {

    static final String SYSTEM = "almanac-1";
    static final Metric CREATE_RATE = new Metric("registry", "create through the API", "jobs/s", true);
    static final Metric LIST_FIRST = new Metric("registry", "list, first page of 50", "ms", false);
    static final Metric LIST_DEEP = new Metric("registry", "list, a page in the middle", "ms", false);
    static final Metric LIST_SEARCH = new Metric("registry", "list, search by name", "ms", false);
    static final Metric TRIGGER_PASS = new Metric("registry", "trigger pass, 500 due", "ms", false);
    static final Metric IDLE_PASS = new Metric("registry", "trigger pass, none due", "ms", false);
    static final Metric API_THROUGHPUT = new Metric("api", "throughput", "req/s", true);
    static final Metric API_P50 = new Metric("api", "all requests p50", "ms", false);
    static final Metric API_P99 = new Metric("api", "all requests p99", "ms", false);
    static final List<String> API_OPS = List.of("create", "list", "get", "run");
    static final Metric HISTORY_FIRST = new Metric("history", "history, first page", "ms", false);
    static final Metric HISTORY_NEXT = new Metric("history", "history, next page (cursor)", "ms", false);
    static final Metric HISTORY_FAILED = new Metric("history", "history, failed only", "ms", false);
    static final Metric HISTORY_JOB = new Metric("history", "a job's history page", "ms", false);
    static final Metric JOB_DETAIL = new Metric("history", "job detail", "ms", false);
    static final Metric EXECUTION_DETAIL = new Metric("history", "execution detail", "ms", false);
    static final Metric STATUS = new Metric("history", "status endpoint", "ms", false);

    private final Options options;
    private final Pg pg;
    private final Results results;
    private final Machine machine;

    AlmanacWorkloads(Options options, Pg pg, Results results, Machine machine) {
        this.options = options;
        this.pg = pg;
        this.results = results;
        this.machine = machine;
        results.label(SYSTEM, "Almanac, 1 node");
    }

    /** Registry scale, then the API under load against that registry, on one node and a schema of their own. */
    void registryAndApi(int run) throws Exception {
        Pg.Schema schema = pg.createSchema("r" + run + "_almanac_registry");
        System.out.println("-- Almanac, 1 node: registry and API");
        ConfigurableApplicationContext node = AlmanacContender.boot(pg, schema, "bench-api", options.threads());
        try {
            Http http = Http.loggedIn(
                    "http://127.0.0.1:" + AlmanacContender.port(node) + "/api/admin/scheduler",
                    "admin",
                    AlmanacContender.ADMIN_PASSWORD);
            if (options.runs("registry")) {
                registry(run, node, http, schema);
            } else {
                bulkJobs(schema, "seed-", 1_000);
            }
            if (options.runs("api")) {
                api(run, http, schema);
            }
        } catch (Exception e) {
            results.note("run " + run + ", Almanac registry/API: failed: " + e);
            e.printStackTrace();
        } finally {
            node.close();
            pg.drop(schema);
        }
    }

    private void registry(int run, ConfigurableApplicationContext node, Http http, Pg.Schema schema) throws Exception {
        int viaApi = options.registryApiCreates();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        long began = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            done.add(clients.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < viaApi) {
                    Http.Response response = http.post("/jobs", createBody("api-" + i, i));
                    if (response.status() != 201) {
                        failed.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        clients.shutdown();
        double seconds = (System.nanoTime() - began) / 1e9;
        if (failed.get() > 0) {
            results.note("run " + run + ", registry: " + failed.get() + " API create(s) failed");
        }
        results.add(CREATE_RATE, SYSTEM, viaApi / seconds);
        long bulkBegan = System.nanoTime();
        bulkJobs(schema, "bulk-", options.registryJobs() - viaApi);
        double bulkSeconds = (System.nanoTime() - bulkBegan) / 1e9;
        // as autovacuum would soon after a bulk write (V10 sets it to 1 % for the queue); this machine may run
        // PostgreSQL with autovacuum off, and a never-vacuumed table cannot be read from its indexes alone
        pg.execute("VACUUM ANALYZE " + schema.name() + ".jobs");
        System.out.printf(
                Locale.ROOT,
                "   registry: %d jobs created through the API at %.0f jobs/s (4 clients); %d more in bulk in %.1f s%n",
                viaApi,
                viaApi / seconds,
                options.registryJobs() - viaApi,
                bulkSeconds);
        int total = options.registryJobs();
        int middle = Math.max(1, total / 50 / 2);
        timeEndpoint(http, "/jobs?page=1&limit=50", LIST_FIRST);
        timeEndpoint(http, "/jobs?page=" + middle + "&limit=50", LIST_DEEP);
        timeEndpoint(http, "/jobs?search=bulk-" + (total / 2) + "&limit=50", LIST_SEARCH);

        Engine engine = AlmanacContender.engine(node);
        AlmanacContender.loops(node).stop();
        engine.awaitIdle(Duration.ofMinutes(1));
        long pass = 0;
        long idle = 0;
        pg.execute("UPDATE " + schema.name() + ".jobs SET next_run_at = now() - interval '1 second' WHERE id IN"
                + " (SELECT id FROM " + schema.name() + ".jobs ORDER BY id LIMIT 500)");
        long t0 = System.nanoTime();
        engine.runDueOnceWithoutWaiting();
        pass = System.nanoTime() - t0;
        engine.awaitIdle(Duration.ofMinutes(1));
        long t1 = System.nanoTime();
        engine.runDueOnceWithoutWaiting();
        idle = System.nanoTime() - t1;
        engine.awaitIdle(Duration.ofMinutes(1));
        AlmanacContender.loops(node).start();
        results.add(TRIGGER_PASS, SYSTEM, pass / 1e6);
        results.add(IDLE_PASS, SYSTEM, idle / 1e6);
        System.out.printf(
                Locale.ROOT,
                "   list: first page %.1f ms, middle page %.1f ms, search %.1f ms; trigger pass: 500 due %.1f ms,"
                        + " none due %.1f ms%n",
                last(LIST_FIRST),
                last(LIST_DEEP),
                last(LIST_SEARCH),
                pass / 1e6,
                idle / 1e6);
    }

    private double last(Metric metric) {
        List<Double> values = results.values(metric, SYSTEM);
        return values.isEmpty() ? -1 : values.get(values.size() - 1);
    }

    static String createBody(String name, int n) {
        return "{\"name\":\"" + name + "\",\"template_type\":\"bench_noop\",\"parameters\":{\"n\":" + n + "},"
                + "\"schedule\":{\"type\":\"cron\",\"expression\":\"0 3 * * *\",\"timezone\":\"UTC\"}}";
    }

    /** Cron jobs (every day at 03:00 UTC) written in bulk: a registry that is large but not due. */
    void bulkJobs(Pg.Schema schema, String prefix, int count) throws Exception {
        Instant next = LocalDate.now(ZoneOffset.UTC).plusDays(1).atTime(3, 0).toInstant(ZoneOffset.UTC);
        Instant now = Instant.now();
        try (Connection c = pg.connect(schema.url())) {
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement(JobRows.INSERT)) {
                for (int i = 0; i < count; i++) {
                    JobRows.bind(insert, UUID.randomUUID(), prefix + i, i, "cron", "0 3 * * *", null, now, next);
                    insert.addBatch();
                    if (i % 2000 == 1999) {
                        insert.executeBatch();
                        c.commit();
                    }
                }
                insert.executeBatch();
            }
            c.commit();
        }
    }

    /** Times one endpoint: one warm-up request, then ten; records their median. */
    private void timeEndpoint(Http http, String path, Metric metric) throws Exception {
        Http.Response warm = http.get(path);
        if (!warm.ok()) {
            results.note(metric.title() + ": GET " + path + " answered " + warm.status());
            return;
        }
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            times.add(http.get(path).millis());
        }
        Collections.sort(times);
        results.add(metric, SYSTEM, Results.median(times));
    }

    /**
     * Closed-loop load: {@code apiClients} clients, each sending its next request when the last one answered, mixed
     * 10 % create, 30 % list, 40 % get, 20 % run now; a warm-up, then {@code apiSeconds} measured.
     */
    private void api(int run, Http http, Pg.Schema schema) throws Exception {
        List<String> ids = jobIds(pg, schema);
        Map<String, List<Long>> latencies = new ConcurrentHashMap<>();
        API_OPS.forEach(op -> latencies.put(op, Collections.synchronizedList(new ArrayList<>())));
        AtomicLong errors = new AtomicLong();
        AtomicInteger created = new AtomicInteger();
        long warmup = options.quick() ? 1_000 : 3_000;
        long start = System.currentTimeMillis();
        long measureFrom = start + warmup;
        long end = measureFrom + options.apiSeconds() * 1000L;
        String runTag = "r" + run + "-";
        ExecutorService clients = Executors.newFixedThreadPool(options.apiClients());
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < options.apiClients(); c++) {
            done.add(clients.submit(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (System.currentTimeMillis() < end) {
                    Mixed mixed = mixed(http, random, ids, created, runTag);
                    String op = mixed.op();
                    Http.Response response = mixed.response();
                    if (System.currentTimeMillis() >= measureFrom) {
                        latencies.get(op).add(response.nanos());
                        if (!response.ok()) {
                            errors.incrementAndGet();
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        clients.shutdown();
        double seconds = (System.currentTimeMillis() - measureFrom) / 1000.0;
        List<Long> all = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String op : API_OPS) {
            long[] sorted = latencies.get(op).stream()
                    .mapToLong(Long::longValue)
                    .sorted()
                    .toArray();
            all.addAll(latencies.get(op));
            if (sorted.length == 0) {
                continue;
            }
            double p50 = Results.percentile(sorted, 0.50) / 1e6;
            double p99 = Results.percentile(sorted, 0.99) / 1e6;
            results.add(new Metric("api", op + " p50", "ms", false), SYSTEM, p50);
            results.add(new Metric("api", op + " p99", "ms", false), SYSTEM, p99);
            line.append(String.format(Locale.ROOT, " %s p50 %.1f / p99 %.1f ms;", op, p50, p99));
        }
        long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
        if (sorted.length == 0) {
            results.note("run " + run + ", API: no request completed");
            return;
        }
        double throughput = sorted.length / seconds;
        results.add(API_THROUGHPUT, SYSTEM, throughput);
        results.add(API_P50, SYSTEM, Results.percentile(sorted, 0.50) / 1e6);
        results.add(API_P99, SYSTEM, Results.percentile(sorted, 0.99) / 1e6);
        if (errors.get() > 0) {
            results.note("run " + run + ", API: " + errors.get() + " of " + sorted.length + " requests failed");
        }
        System.out.printf(
                Locale.ROOT,
                "   API (%d clients, %.0f s): %.0f req/s, p50 %.1f ms, p99 %.1f ms;%s%n",
                options.apiClients(),
                seconds,
                throughput,
                Results.percentile(sorted, 0.50) / 1e6,
                Results.percentile(sorted, 0.99) / 1e6,
                line);
    }

    /** One request of the benchmark's API mix, and which of {@link #API_OPS} it was. */
    record Mixed(String op, Http.Response response) {}

    /** The API mix: 10 % create, 30 % list (a random page of 20), 40 % get, 20 % run now, of the jobs {@code ids}. */
    static Mixed mixed(Http http, ThreadLocalRandom random, List<String> ids, AtomicInteger created, String tag)
            throws Exception {
        int dice = random.nextInt(100);
        if (dice < 10) {
            int n = created.getAndIncrement();
            return new Mixed("create", http.post("/jobs", createBody("load-" + tag + n, n)));
        } else if (dice < 40) {
            return new Mixed("list", http.get("/jobs?page=" + (1 + random.nextInt(20)) + "&limit=20"));
        } else if (dice < 80) {
            return new Mixed("get", http.get("/jobs/" + ids.get(random.nextInt(ids.size()))));
        } else {
            return new Mixed("run", http.post("/jobs/" + ids.get(random.nextInt(ids.size())) + "/run", "{}"));
        }
    }

    /**
     * The ids of up to 1 000 of the bench's own jobs in {@code schema}, in name order: the ones the API mix reads and
     * runs. Almanac's system jobs (history retention, the daily summary) are left out: running one reads the whole
     * registry or history, which is not what the mix measures.
     */
    static List<String> jobIds(Pg pg, Pg.Schema schema) throws Exception {
        List<String> ids = new ArrayList<>();
        try (Connection c = pg.connect(schema.url());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT id FROM jobs WHERE template_type = '" + BenchNoopTemplate.TYPE
                        + "' ORDER BY name LIMIT 1000")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    /**
     * History at scale: 1 000 jobs and {@code historyRows} executions over the last 30 days, written with SQL in
     * chunks; then the history, job and status endpoints timed once per run.
     */
    void history() throws Exception {
        Pg.Schema schema = pg.createSchema("history");
        System.out.printf("%n-- Almanac, 1 node: history with %,d executions%n", options.historyRows());
        ConfigurableApplicationContext node = AlmanacContender.boot(pg, schema, "bench-history", options.threads());
        try {
            bulkJobs(schema, "hist-", 1_000);
            long rows = options.historyRows();
            long began = System.nanoTime();
            fillHistory(schema, rows);
            double seconds = (System.nanoTime() - began) / 1e9;
            System.out.printf(
                    Locale.ROOT, "   %,d executions written in %.0f s (%.0f rows/s)%n", rows, seconds, rows / seconds);
            results.note(String.format(
                    Locale.ROOT,
                    "history: %,d executions (1 000 jobs, 30 days) written with SQL in %.0f s, once; the endpoints"
                            + " were timed %d time(s) on them",
                    rows,
                    seconds,
                    options.runs()));
            Http http = Http.loggedIn(
                    "http://127.0.0.1:" + AlmanacContender.port(node) + "/api/admin/scheduler",
                    "admin",
                    AlmanacContender.ADMIN_PASSWORD);
            String job;
            String execution;
            try (Connection c = pg.connect(schema.url());
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT id FROM jobs ORDER BY name LIMIT 1")) {
                rs.next();
                job = rs.getString(1);
            }
            Http.Response first = http.get("/executions?limit=50");
            String cursor = Http.field(first.body(), "next_before");
            execution = Http.field(first.body(), "id");
            for (int run = 1; run <= options.runs(); run++) {
                timeEndpoint(http, "/executions?limit=50", HISTORY_FIRST);
                if (cursor != null) {
                    timeEndpoint(http, "/executions?limit=50&before=" + cursor, HISTORY_NEXT);
                }
                timeEndpoint(http, "/executions?status=failed&limit=50", HISTORY_FAILED);
                timeEndpoint(http, "/jobs/" + job + "/executions?limit=50", HISTORY_JOB);
                timeEndpoint(http, "/jobs/" + job, JOB_DETAIL);
                if (execution != null) {
                    timeEndpoint(http, "/executions/" + execution, EXECUTION_DETAIL);
                }
                timeEndpoint(http, "/status", STATUS);
                System.out.printf(
                        Locale.ROOT,
                        "   round %d: history first %.1f ms, next %.1f ms, failed %.1f ms, job's %.1f ms, job %.1f ms,"
                                + " execution %.1f ms, status %.1f ms%n",
                        run,
                        last(HISTORY_FIRST),
                        last(HISTORY_NEXT),
                        last(HISTORY_FAILED),
                        last(HISTORY_JOB),
                        last(JOB_DETAIL),
                        last(EXECUTION_DETAIL),
                        last(STATUS));
                machine.sample("history round " + run);
            }
        } catch (Exception e) {
            results.note("history: failed: " + e);
            e.printStackTrace();
        } finally {
            node.close();
            pg.drop(schema);
        }
    }

    private void fillHistory(Pg.Schema schema, long rows) throws Exception {
        String s = schema.name();
        pg.execute(
                "CREATE TABLE " + s + ".bench_job_keys AS SELECT (row_number() OVER (ORDER BY name)) - 1 AS k, id,"
                        + " name FROM " + s + ".jobs",
                "CREATE UNIQUE INDEX ON " + s + ".bench_job_keys (k)");
        long stepMicros = Math.max(1, Duration.ofDays(30).toNanos() / 1000 / rows);
        long chunk = 250_000;
        String insert = """
                INSERT INTO %1$s.executions (id, job_id, job_version, job_name, template_type, status, reason,
                    attempt, retry_of, slot_key, scheduled_for, run_after, created_at, started_at, completed_at,
                    duration_ms, dry_run, parameters, result, error, triggered_by, execution_host, heartbeat_at,
                    cancel_requested, timeout_seconds)
                SELECT ('00000000-0000-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, j.id, 1, j.name,
                       'bench_noop', CASE WHEN g %% 50 = 0 THEN 'failed' ELSE 'succeeded' END, NULL, 1, NULL,
                       j.id || '@' || g, t, t, t, t + interval '5 milliseconds', t + interval '25 milliseconds', 20,
                       FALSE, '{"n":0}', '{"status":"succeeded","message":"ok"}',
                       CASE WHEN g %% 50 = 0 THEN 'RuntimeException: boom' END, 'scheduler', 'bench-history',
                       t + interval '5 milliseconds', FALSE, 3600
                  FROM (SELECT g, now() - interval '30 days' + (g * %2$d) * interval '1 microsecond' AS t
                          FROM generate_series(?, ?) g) x
                  JOIN %1$s.bench_job_keys j ON j.k = x.g %% 1000
                """.formatted(s, stepMicros);
        try (Connection c = pg.connect(schema.url());
                PreparedStatement statement = c.prepareStatement(insert)) {
            for (long from = 0; from < rows; from += chunk) {
                long to = Math.min(rows, from + chunk) - 1;
                statement.setLong(1, from);
                statement.setLong(2, to);
                statement.executeUpdate();
                if (rows >= 1_000_000 && (from / chunk) % 8 == 7) {
                    System.out.printf(Locale.ROOT, "   %,d of %,d written%n", to + 1, rows);
                }
            }
        }
        pg.execute("DROP TABLE " + s + ".bench_job_keys", "VACUUM ANALYZE " + s + ".executions");
    }
}
