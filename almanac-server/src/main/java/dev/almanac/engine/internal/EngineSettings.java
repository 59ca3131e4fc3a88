package dev.almanac.engine.internal;

import java.time.Clock;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What every piece of the engine reads the same way: its configuration, this node's id, the clock (injected, so tests
 * set it), the transactions it writes in and where it tells the rest of Almanac what happened.
 */
record EngineSettings(
        EngineProperties properties,
        String nodeId,
        Clock clock,
        TransactionTemplate transactions,
        ApplicationEventPublisher events) {

    @Configuration(proxyBeanMethods = false)
    static class Wiring {

        @Bean
        EngineSettings engineSettings(
                EngineProperties properties,
                NodeLease lease,
                Clock clock,
                TransactionTemplate transactions,
                ApplicationEventPublisher events) {
            return new EngineSettings(properties, lease.nodeId(), clock, transactions, events);
        }
    }
}
