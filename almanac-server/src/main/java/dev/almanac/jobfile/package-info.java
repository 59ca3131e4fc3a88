/** Jobs as code: the system jobs seeded at first start, and the jobs file upserted by name at every start. */
@ApplicationModule(allowedDependencies = {"audit", "calendar", "common", "job", "schedule", "security", "web"})
package dev.almanac.jobfile;

import org.springframework.modulith.ApplicationModule;
