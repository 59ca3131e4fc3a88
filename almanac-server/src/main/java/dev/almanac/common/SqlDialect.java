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
     * Whether a list can be bound as one array parameter ({@code CAST(:ids AS uuid[])}) and joined with
     * {@code unnest}: a plan that stays fast for hundreds of values, where an {@code IN} list of as many parameters
     * is compared value by value.
     */
    public boolean arrayParameters() {
        return postgres;
    }
}
