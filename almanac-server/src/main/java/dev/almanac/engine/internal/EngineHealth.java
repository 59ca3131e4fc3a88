package dev.almanac.engine.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The engine's part of {@code /actuator/health} (the database has its own indicator): down when a loop thread died,
 * or when this node cannot heartbeat, so it stopped claiming and other nodes may take its runs over.
 */
@Component("engineHealthIndicator")
class EngineHealth implements HealthIndicator {

    private final Engine engine;
    private final EngineLoops loops;
    private final EngineProperties properties;

    EngineHealth(Engine engine, EngineLoops loops, EngineProperties properties) {
        this.engine = engine;
        this.loops = loops;
        this.properties = properties;
    }

    @Override
    public Health health() {
        if (!properties.enabled()) {
            return Health.up().withDetail("loops", "off on this node").build();
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("node", engine.nodeId());
        details.put("running", engine.runningCount());
        details.put("heartbeat_age_ms", engine.heartbeatAge().toMillis());
        List<String> stopped = loops.stoppedLoops();
        details.put("stopped_loops", stopped);
        Integer schema = engine.schemaMovedTo();
        if (schema != null) {
            details.put("schema", "moved to version " + schema + ", past what this node knows: it takes no work");
        }
        boolean down = !stopped.isEmpty()
                || schema != null
                || engine.fenced()
                || engine.heartbeatAge().compareTo(properties.deadNodeThreshold()) > 0;
        return (down ? Health.down() : Health.up()).withDetails(details).build();
    }
}
