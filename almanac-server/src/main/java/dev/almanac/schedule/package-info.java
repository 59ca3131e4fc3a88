/** Schedules: cron, interval and one-time specs, their validation, and next run times under the DST policy. */
package dev.almanac.schedule;
