package dev.almanac.testing;

import java.sql.Connection;
import org.h2.api.Trigger;

/**
 * An H2 row trigger that runs the {@link RowHook} ({@code CREATE TRIGGER ... FOR EACH ROW CALL
 * "dev.almanac.testing.RowHookTrigger"}), so a test can act while a statement changes rows, e.g. move the clock past a
 * run's deadline in the middle of a batch.
 */
public class RowHookTrigger implements Trigger {

    @Override
    public void fire(Connection connection, Object[] oldRow, Object[] newRow) {
        RowHook.pass(0);
    }
}
