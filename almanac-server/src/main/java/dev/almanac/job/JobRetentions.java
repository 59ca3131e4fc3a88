package dev.almanac.job;

import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** What the retention system job reads of jobs: each job's own retention and namespace. */
@Component
public class JobRetentions {

    /** A job's own retention (either limit may be null) and its namespace. */
    public record Rule(JobId job, String namespace, Retention retention) {}

    private static final String SELECT = "SELECT id, namespace, keep_runs, keep_days FROM jobs";

    private static final String OWN_OR_IN =
            SELECT + " WHERE keep_runs IS NOT NULL OR keep_days IS NOT NULL OR namespace IN (:namespaces) ORDER BY id";

    private static final String OWN = SELECT + " WHERE keep_runs IS NOT NULL OR keep_days IS NOT NULL ORDER BY id";

    private final JdbcClient jdbc;

    JobRetentions(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Every job ({@code all}), or those that set a retention of their own or lie in one of these namespaces. */
    public List<Rule> rules(boolean all, Collection<String> namespaces) {
        var sql = all
                ? jdbc.sql(SELECT + " ORDER BY id")
                : namespaces.isEmpty()
                        ? jdbc.sql(OWN)
                        : jdbc.sql(OWN_OR_IN).param("namespaces", List.copyOf(namespaces));
        return sql.query((rs, n) -> new Rule(
                        new JobId(rs.getObject("id", UUID.class)),
                        rs.getString("namespace"),
                        new Retention(
                                rs.getObject("keep_runs", Integer.class), rs.getObject("keep_days", Integer.class))))
                .list();
    }
}
