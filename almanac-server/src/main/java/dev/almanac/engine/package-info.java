/**
 * The engine: trigger and worker loops, node heartbeats, recovery, wake-ups and manual runs, all in {@code internal/}
 * since no other feature calls it.
 */
@ApplicationModule(
        allowedDependencies = {
            "artifact",
            "audit",
            "calendar",
            "common",
            "execution",
            "job",
            "notify",
            "outbound",
            "schedule",
            "security",
            "target",
            "template",
            "web"
        })
package dev.almanac.engine;

import org.springframework.modulith.ApplicationModule;
