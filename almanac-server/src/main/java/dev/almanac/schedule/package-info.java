/** Schedules: cron, interval and one-time specs, their validation, and next run times under the DST policy. */
@ApplicationModule(allowedDependencies = {"calendar", "common", "template"})
package dev.almanac.schedule;

import org.springframework.modulith.ApplicationModule;
