/** Executions: one run of a job, its lifecycle, logs and history. */
package dev.almanac.execution;
