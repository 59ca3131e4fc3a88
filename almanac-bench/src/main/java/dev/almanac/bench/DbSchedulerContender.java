package dev.almanac.bench;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerBuilder;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.task.SchedulableInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * db-scheduler 16.x: one {@code scheduled_tasks} table, one-time tasks, each instance a {@link Scheduler} with its
 * own connection pool. Tuned as its README says for throughput: {@code lock-and-fetch} with {@code 1.0, 4.0} ("for
 * high throughput, i.e. keep threads busy"), {@code fetch} with its defaults {@code 0.5, 3.0}; polling every second
 * (default 10 s).
 */
final class DbSchedulerContender implements Contender {

    static final Duration POLLING_INTERVAL = Duration.ofSeconds(1);
    static final String DDL = """
            CREATE TABLE scheduled_tasks (
              task_name text NOT NULL,
              task_instance text NOT NULL,
              task_data bytea,
              execution_time timestamp with time zone NOT NULL,
              picked BOOLEAN NOT NULL,
              picked_by text,
              last_success timestamp with time zone,
              last_failure timestamp with time zone,
              consecutive_failures INT,
              last_heartbeat timestamp with time zone,
              version BIGINT NOT NULL,
              priority SMALLINT,
              PRIMARY KEY (task_name, task_instance)
            );
            CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time);
            CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
            CREATE INDEX priority_execution_time_idx ON scheduled_tasks (priority DESC, execution_time ASC);
            """;

    private final Pg pg;
    private final boolean lockAndFetch;
    private final int instances;
    private final int threads;
    private final OneTimeTask<Void> task =
            Tasks.oneTime("bench-noop").execute((instance, context) -> Probe.ran(Integer.parseInt(instance.getId())));
    private final List<Scheduler> schedulers = new ArrayList<>();
    private final List<HikariDataSource> pools = new ArrayList<>();
    private Pg.Schema schema;
    private HikariDataSource clientPool;

    DbSchedulerContender(Pg pg, boolean lockAndFetch, int instances, int threads) {
        this.pg = pg;
        this.lockAndFetch = lockAndFetch;
        this.instances = instances;
        this.threads = threads;
    }

    @Override
    public String key() {
        return (lockAndFetch ? "dbs-lock-" : "dbs-fetch-") + instances;
    }

    @Override
    public String label() {
        return "db-scheduler " + (lockAndFetch ? "lock-and-fetch" : "fetch") + ", " + instances
                + (instances == 1 ? " instance" : " instances");
    }

    @Override
    public int instances() {
        return instances;
    }

    @Override
    public void prepare(Pg.Schema schema) {
        this.schema = schema;
        pg.execute(DDL.replace("CREATE TABLE ", "CREATE TABLE " + schema.name() + ".")
                .replace(" ON scheduled_tasks", " ON " + schema.name() + ".scheduled_tasks"));
        clientPool = pg.pool(schema, key() + "-client", 2);
        build();
    }

    private void build() {
        for (int i = 1; i <= instances; i++) {
            HikariDataSource pool = pg.pool(schema, key() + "-" + i, threads + 2);
            pools.add(pool);
            SchedulerBuilder builder = Scheduler.create(pool, task)
                    .threads(threads)
                    .pollingInterval(POLLING_INTERVAL)
                    .schedulerName(new SchedulerName.Fixed("bench-" + i));
            if (lockAndFetch) {
                builder.pollUsingLockAndFetch(1.0, 4.0);
            } else {
                builder.pollUsingFetchAndLockOnExecute(0.5, 3.0);
            }
            schedulers.add(builder.build());
        }
    }

    @Override
    public void schedule(long[] due) {
        SchedulerClient client =
                SchedulerClient.Builder.create(clientPool, task).build();
        List<SchedulableInstance<?>> batch = new ArrayList<>(due.length);
        for (int n = 0; n < due.length; n++) {
            batch.add(SchedulableInstance.of(task.instance(String.valueOf(n)), Instant.ofEpochMilli(due[n])));
        }
        client.scheduleBatch(batch);
    }

    @Override
    public void start() {
        schedulers.forEach(Scheduler::start);
    }

    @Override
    public void pause() {
        // a stopped db-scheduler cannot be started again: build fresh instances on the same table
        stopAll();
        build();
    }

    @Override
    public long finished(long scheduled) {
        return scheduled - pg.count(schema, "SELECT COUNT(*) FROM scheduled_tasks");
    }

    @Override
    public void reset() {
        pg.execute("DELETE FROM " + schema.name() + ".scheduled_tasks");
    }

    private void stopAll() {
        schedulers.forEach(Scheduler::stop);
        schedulers.clear();
        pools.forEach(HikariDataSource::close);
        pools.clear();
    }

    @Override
    public void close() {
        stopAll();
        if (clientPool != null) {
            clientPool.close();
        }
    }
}
