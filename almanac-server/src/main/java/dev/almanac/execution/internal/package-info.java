/** The execution API's and pages' controllers, their filters and responses, and the log-line store. */
package dev.almanac.execution.internal;
