package dev.almanac.engine.internal;

import com.zaxxer.hikari.HikariDataSource;
import dev.almanac.common.Databases;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.stereotype.Component;

/**
 * Bounds how long PostgreSQL keeps the session of a node cut off from it (its connection stalled, not closed, as behind
 * a firewall that drops traffic or a proxy that hangs), on every connection of the application's pool (and so of the
 * heartbeat's and the quick pools, which copy its settings; a pool wrapped by another data source too), so that the
 * rows such a session locked do not keep the node's runs from the nodes that take them over. With the limit {@link
 * EngineProperties#idleTransactionLimit()}:
 * <ul>
 *   <li>{@code idle_in_transaction_session_timeout}: a transaction left waiting for the node's next statement ends;
 *   <li>{@code tcp_user_timeout}: a session whose sent data the node has not acknowledged for that long (one blocked
 *       sending a result into the dead connection, which the first limit does not see waiting) is closed;
 *   <li>{@code tcp_keepalives_idle}, {@code _interval}, {@code _count}: an idle session on a dead connection is closed
 *       too, instead of holding a connection slot for the operating system's two hours.
 * </ul>
 * A pool's own {@code connection-init-sql} runs after these, and may set them otherwise. On a Unix-domain socket the
 * TCP settings do nothing. H2 runs in one process and is left alone.
 */
@Component
class CutOffSessionLimits implements BeanPostProcessor {

    private static final Logger log = LoggerFactory.getLogger(CutOffSessionLimits.class);
    private static final String SET = "SET idle_in_transaction_session_timeout = ";

    private final ObjectProvider<EngineProperties> properties;

    CutOffSessionLimits(ObjectProvider<EngineProperties> properties) {
        this.properties = properties;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        HikariDataSource pool = bean instanceof DataSource dataSource ? Databases.hikari(dataSource) : null;
        // jdbc:postgresql:, and the spellings of drivers that wrap PostgreSQL's (jdbc:p6spy:postgresql:, …)
        if (pool == null || pool.getJdbcUrl() == null || !pool.getJdbcUrl().contains(":postgresql:")) {
            return bean;
        }
        String own = pool.getConnectionInitSql();
        if (own != null && own.startsWith(SET)) {
            return bean; // the same pool, reached again through a data source that wraps it
        }
        if (pool.isRunning()) {
            log.warn(
                    "The connection pool {} was started before Almanac could set its session limits on it"
                            + " (idle_in_transaction_session_timeout, tcp_user_timeout): a node cut off in a"
                            + " transaction"
                            + " may hold its locks until the database notices",
                    pool.getPoolName());
        } else {
            pool.setConnectionInitSql(initSql(properties.getObject(), own));
        }
        return bean;
    }

    static String initSql(EngineProperties properties, String own) {
        long millis = Math.max(1, properties.idleTransactionLimit().toMillis());
        long seconds = Math.max(1, properties.idleTransactionLimit().toSeconds());
        // keep-alive probes from a third of the limit on, then every ninth: a dead connection closes within the limit
        String limits = SET + millis + "; SET tcp_user_timeout = " + millis
                + "; SET tcp_keepalives_idle = " + Math.max(1, seconds / 3)
                + "; SET tcp_keepalives_interval = " + Math.max(1, seconds / 9)
                + "; SET tcp_keepalives_count = 3";
        return own == null || own.isBlank() ? limits : limits + "; " + own;
    }
}
