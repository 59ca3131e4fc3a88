package dev.almanac.common;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import javax.sql.DataSource;
import org.springframework.stereotype.Component;

/**
 * What differs between the databases Almanac runs on, PostgreSQL and H2 (ARCHITECTURE §1), for the statements that
 * use more than the SQL both understand.
 */
@Component
public class SqlDialect {

    private final boolean postgres;

    SqlDialect(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            this.postgres = connection
                    .getMetaData()
                    .getDatabaseProductName()
                    .toLowerCase(Locale.ROOT)
                    .contains("postgres");
        }
    }

    /**
     * Whether an {@code UPDATE} can return the rows it changed ({@code RETURNING}), and lock them in a sub-select
     * with {@code FOR UPDATE SKIP LOCKED}: one statement where H2 needs a select, an update and a read.
     */
    public boolean updateReturning() {
        return postgres;
    }
}
