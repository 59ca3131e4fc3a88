/** The benchmark harness: Almanac measured side by side with db-scheduler and Quartz. */
package dev.almanac.bench;
