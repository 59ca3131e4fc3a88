/** Schedules: cron, interval and one-time specs, their validation, and next run times under the DST policy. */
@ApplicationModule(allowedDependencies = {"common"})
package dev.almanac.schedule;

import org.springframework.modulith.ApplicationModule;
