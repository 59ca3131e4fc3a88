package dev.almanac.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;

/**
 * Quartz 2.5 with the JDBC job store ({@code JobStoreTX}, PostgreSQL delegate), clustered; each instance a
 * {@link Scheduler} with its own HikariCP pool. Tuned as Quartz's configuration reference says for many triggers
 * firing at once: batch trigger acquisition ({@code batchTriggerAcquisitionMaxCount} = thread count, with {@code
 * acquireTriggersWithinLock}), a pool of thread count + 2 connections, and an idle wait of 5 s (the lowest it
 * recommends; default 30 s).
 */
final class QuartzContender implements Contender {

    private static int generation;

    /** Longer than Quartz takes to store a drain's triggers on a slow machine (about 160 s for 20 000 here). */
    static final long MISFIRE_THRESHOLD_MS = 15 * 60 * 1000L;

    private final Pg pg;
    private final int instances;
    private final int threads;
    private final List<Scheduler> schedulers = new ArrayList<>();
    private Pg.Schema schema;

    QuartzContender(Pg pg, int instances, int threads) {
        this.pg = pg;
        this.instances = instances;
        this.threads = threads;
    }

    /** The job every trigger fires: its name is its number. */
    public static class ProbeJob implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            Probe.ran(Integer.parseInt(context.getJobDetail().getKey().getName()));
        }
    }

    @Override
    public String key() {
        return "quartz-" + instances;
    }

    @Override
    public String label() {
        return "Quartz JDBC clustered, " + instances + (instances == 1 ? " instance" : " instances");
    }

    @Override
    public int instances() {
        return instances;
    }

    @Override
    public void prepare(Pg.Schema schema) throws Exception {
        this.schema = schema;
        String ddl;
        try (InputStream in =
                Scheduler.class.getResourceAsStream("/org/quartz/impl/jdbcjobstore/tables_postgres.sql")) {
            if (in == null) {
                throw new IOException("tables_postgres.sql is not in the Quartz jar");
            }
            ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> statements = new ArrayList<>();
        statements.add("SET search_path TO " + schema.name());
        StringBuilder current = new StringBuilder();
        for (String line : ddl.split("\n")) {
            String trimmed = line.trim();
            if (trimmed.startsWith("--") || trimmed.startsWith("#") || trimmed.isEmpty()) {
                continue;
            }
            current.append(line).append('\n');
            if (trimmed.endsWith(";")) {
                String statement = current.toString().trim();
                statement = statement.substring(0, statement.length() - 1);
                if (!statement.equalsIgnoreCase("commit")) {
                    statements.add(statement);
                }
                current.setLength(0);
            }
        }
        pg.execute(statements.toArray(String[]::new));
        build();
    }

    private void build() throws SchedulerException {
        int run = ++generation;
        for (int i = 1; i <= instances; i++) {
            String dataSource = "bench_" + run + "_" + i;
            Properties p = new Properties();
            p.setProperty("org.quartz.scheduler.instanceName", "bench_" + run);
            p.setProperty("org.quartz.scheduler.instanceId", "node-" + i);
            p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
            p.setProperty("org.quartz.scheduler.idleWaitTime", "5000");
            p.setProperty("org.quartz.scheduler.batchTriggerAcquisitionMaxCount", String.valueOf(threads));
            p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
            p.setProperty("org.quartz.threadPool.threadCount", String.valueOf(threads));
            p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
            p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
            p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
            p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
            p.setProperty("org.quartz.jobStore.isClustered", "true");
            p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
            // A drain's triggers are due from the moment scheduling began, and storing 20 000 of them takes Quartz
            // minutes here: with the default threshold of 60 s every one had misfired before the scheduler started,
            // and the drain measured the misfire handler (20 triggers a pass) instead of trigger firing.
            p.setProperty("org.quartz.jobStore.misfireThreshold", String.valueOf(MISFIRE_THRESHOLD_MS));
            p.setProperty("org.quartz.jobStore.dataSource", dataSource);
            p.setProperty("org.quartz.dataSource." + dataSource + ".provider", "hikaricp");
            p.setProperty("org.quartz.dataSource." + dataSource + ".driver", "org.postgresql.Driver");
            p.setProperty("org.quartz.dataSource." + dataSource + ".URL", schema.url());
            p.setProperty("org.quartz.dataSource." + dataSource + ".user", pg.user());
            p.setProperty("org.quartz.dataSource." + dataSource + ".password", pg.password());
            p.setProperty("org.quartz.dataSource." + dataSource + ".maxConnections", String.valueOf(threads + 2));
            Scheduler scheduler = new StdSchedulerFactory(p).getScheduler();
            // clustered instances share a name; the JVM-wide repository would hand out the first one again
            SchedulerRepository.getInstance().remove("bench_" + run);
            schedulers.add(scheduler);
        }
    }

    @Override
    public void schedule(long[] due) throws SchedulerException {
        Scheduler scheduler = schedulers.get(0);
        Map<JobDetail, Set<? extends Trigger>> batch = new HashMap<>();
        for (int n = 0; n < due.length; n++) {
            JobDetail job = JobBuilder.newJob(ProbeJob.class)
                    .withIdentity(String.valueOf(n), "bench")
                    .build();
            Trigger trigger = TriggerBuilder.newTrigger()
                    .withIdentity(String.valueOf(n), "bench")
                    .startAt(new Date(due[n]))
                    .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow())
                    .build();
            batch.put(job, Set.of(trigger));
            if (batch.size() == 1000) {
                scheduler.scheduleJobs(batch, false);
                batch.clear();
                if (n < 1000) {
                    // as autovacuum would once the new tables pass its threshold (50 rows + 10 %): without
                    // statistics each existence check before an insert scanned every trigger stored so far
                    pg.analyze(schema);
                }
            }
        }
        if (!batch.isEmpty()) {
            scheduler.scheduleJobs(batch, false);
        }
    }

    @Override
    public void start() throws SchedulerException {
        for (Scheduler scheduler : schedulers) {
            scheduler.start();
        }
    }

    @Override
    public void pause() throws SchedulerException {
        for (Scheduler scheduler : schedulers) {
            scheduler.standby();
        }
    }

    @Override
    public long finished(long scheduled) {
        return scheduled - pg.count(schema, "SELECT COUNT(*) FROM qrtz_triggers");
    }

    @Override
    public void reset() throws SchedulerException {
        // a drain that was cut off leaves jobs behind
        schedulers.get(0).clear();
    }

    @Override
    public void close() {
        for (Scheduler scheduler : schedulers) {
            try {
                // waits for the jobs it already fired, which otherwise fail against a closed job store
                scheduler.shutdown(true);
            } catch (SchedulerException e) {
                System.err.println("closing " + label() + ": " + e.getMessage());
            }
        }
        schedulers.clear();
    }
}
