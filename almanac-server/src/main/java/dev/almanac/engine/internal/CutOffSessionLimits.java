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
 * Sets PostgreSQL's {@code idle_in_transaction_session_timeout} on every connection of the application's pool (and so
 * of the heartbeat's and the quick pools, which copy its settings; a pool wrapped by another data source too) to {@link
 * EngineProperties#idleTransactionLimit()}: a node cut off from the database in the middle of a transaction must not
 * keep the rows it locked from the nodes that take its runs over. The database ends such a session, and with it the
 * transaction, once it has waited that long for the node's next statement. A pool's own {@code connection-init-sql}
 * runs after it. H2 runs in one process and is left alone.
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
                    "The connection pool {} was started before Almanac could set idle_in_transaction_session_timeout on"
                            + " it: a node cut off in a transaction may hold its locks until the database notices",
                    pool.getPoolName());
        } else {
            pool.setConnectionInitSql(initSql(properties.getObject(), own));
        }
        return bean;
    }

    static String initSql(EngineProperties properties, String own) {
        String limit = SET + Math.max(1, properties.idleTransactionLimit().toMillis());
        return own == null || own.isBlank() ? limit : limit + "; " + own;
    }
}
