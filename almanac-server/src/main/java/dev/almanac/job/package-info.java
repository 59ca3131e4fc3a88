/** Job definitions and the registry service: create, read, update, delete, versions. */
@ApplicationModule(
        allowedDependencies = {"audit", "common", "outbound", "schedule", "security", "target", "template", "web"})
package dev.almanac.job;

import org.springframework.modulith.ApplicationModule;
