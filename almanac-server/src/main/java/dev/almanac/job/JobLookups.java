package dev.almanac.job;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Read-only look-ups of jobs by name, for the features that find jobs without owning them (jobs files, seeds). */
@Component
public class JobLookups {

    private static final String ID_BY_NAME = "SELECT id FROM jobs WHERE name = ?";

    private static final String IDS_IN_NAME_ORDER = "SELECT id FROM jobs ORDER BY name";

    private static final String NAMES_OF = "SELECT id, name FROM jobs WHERE id IN (:ids)";

    private final JdbcClient jdbc;

    JobLookups(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<JobId> idByName(String name) {
        return jdbc.sql(ID_BY_NAME).param(name).query(UUID.class).optional().map(JobId::new);
    }

    public boolean nameTaken(String name) {
        return idByName(name).isPresent();
    }

    /** Every job's id, in the order of their names. */
    public List<JobId> allInNameOrder() {
        return jdbc.sql(IDS_IN_NAME_ORDER).query(UUID.class).list().stream()
                .map(JobId::new)
                .toList();
    }

    /** The names of those of these jobs that still exist. */
    public Map<JobId, String> namesOf(Collection<JobId> ids) {
        Map<JobId, String> names = new HashMap<>();
        List<UUID> all = ids.stream().map(JobId::value).distinct().toList();
        for (int from = 0; from < all.size(); from += 500) {
            jdbc.sql(NAMES_OF)
                    .param("ids", all.subList(from, Math.min(all.size(), from + 500)))
                    .query(rs -> {
                        names.put(new JobId(rs.getObject("id", UUID.class)), rs.getString("name"));
                    });
        }
        return names;
    }
}
