package dev.almanac.testing;

/**
 * A function an in-memory H2 target can call for every row it reads ({@code CREATE ALIAS ... FOR
 * "dev.almanac.testing.RowHook.pass"}), so a test can act in the middle of a streaming read, e.g. move the clock past
 * a run's deadline.
 */
public final class RowHook {

    private static volatile Runnable hook = () -> {};

    private RowHook() {}

    /** What happens on the next row read; the hook then resets itself, so it runs once. */
    public static void once(Runnable action) {
        hook = action;
    }

    /** Runs the hook, once, and gives back its argument. */
    public static long pass(long value) {
        Runnable now = hook;
        hook = () -> {};
        now.run();
        return value;
    }
}
