package dev.almanac.artifact.internal;

import static dev.almanac.common.JdbcTime.instant;
import static dev.almanac.common.JdbcTime.utc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code artifacts} table. */
@Repository
public class ArtifactRepository {

    private static final String COLUMNS = "id, execution_id, name, path, size_bytes, sha256, content_type, created_at";

    private static final String INSERT = """
            INSERT INTO artifacts (id, execution_id, name, path, size_bytes, sha256, content_type, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """;

    private static final String OF_EXECUTION =
            "SELECT " + COLUMNS + " FROM artifacts WHERE execution_id = ? ORDER BY created_at, id";

    private static final String ONE = "SELECT " + COLUMNS + " FROM artifacts WHERE execution_id = ? AND id = ?";

    private final JdbcClient jdbc;

    ArtifactRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void insert(Artifact artifact) {
        jdbc.sql(INSERT)
                .params(
                        artifact.id(),
                        artifact.executionId(),
                        artifact.name(),
                        artifact.path(),
                        artifact.sizeBytes(),
                        artifact.sha256(),
                        artifact.contentType(),
                        utc(artifact.createdAt()))
                .update();
    }

    public List<Artifact> ofExecution(UUID executionId) {
        return jdbc.sql(OF_EXECUTION)
                .param(executionId)
                .query(ArtifactRepository::map)
                .list();
    }

    public Optional<Artifact> find(UUID executionId, UUID id) {
        return jdbc.sql(ONE)
                .params(executionId, id)
                .query(ArtifactRepository::map)
                .optional();
    }

    public void delete(UUID id) {
        jdbc.sql("DELETE FROM artifacts WHERE id = ?").param(id).update();
    }

    private static Artifact map(ResultSet rs, int row) throws SQLException {
        return new Artifact(
                rs.getObject("id", UUID.class),
                rs.getObject("execution_id", UUID.class),
                rs.getString("name"),
                rs.getString("path"),
                rs.getLong("size_bytes"),
                rs.getString("sha256"),
                rs.getString("content_type"),
                instant(rs, "created_at"));
    }
}
