/** Executions: one run of a job, its lifecycle, logs and history. */
@ApplicationModule(allowedDependencies = {"audit", "common", "job", "security", "template", "web"})
package dev.almanac.execution;

import org.springframework.modulith.ApplicationModule;
