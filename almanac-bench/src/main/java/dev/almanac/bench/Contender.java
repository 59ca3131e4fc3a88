package dev.almanac.bench;

/**
 * A scheduler under test, as the drain and lateness workloads drive it: set up its instances on a schema without
 * letting them execute, schedule one-time trivial jobs, let them execute, and count what has finished.
 */
interface Contender extends AutoCloseable {

    /** A short, stable key ({@code almanac-3}). */
    String key();

    /** How the report names it ({@code Almanac, 3 nodes}). */
    String label();

    /** How many instances (nodes) share the database. */
    int instances();

    /** Creates the schema's tables and the instances, which do not execute anything yet. */
    void prepare(Pg.Schema schema) throws Exception;

    /** Schedules job {@code n} due at {@code due[n]} (epoch milliseconds) for every n. */
    void schedule(long[] due) throws Exception;

    /** Lets every instance execute. */
    void start() throws Exception;

    /** Stops every instance from executing (their state stays), so the next batch can be scheduled. */
    void pause() throws Exception;

    /** How many of the scheduled jobs have finished and are recorded as such in the database. */
    long finished(long scheduled) throws Exception;

    /** Forgets the finished jobs, so the next workload starts from an empty store. */
    void reset() throws Exception;

    @Override
    void close();
}
