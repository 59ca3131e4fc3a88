package dev.almanac.engine.internal.store;

import dev.almanac.common.Databases;
import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/** Picks the engine's store for the database the application runs on, once, at start-up. */
@Configuration(proxyBeanMethods = false)
class EngineStoreConfiguration {

    @Bean
    EngineStore engineStore(DataSource dataSource, JdbcClient jdbc, JdbcTemplate batch, JsonMapper json) {
        return Databases.isPostgres(dataSource)
                ? new PostgresEngineStore(jdbc, batch, json)
                : new H2EngineStore(jdbc, batch, json);
    }
}
