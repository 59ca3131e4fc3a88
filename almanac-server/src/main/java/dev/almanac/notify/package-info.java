/**
 * Notifications on job events: the final outcome of a run (success, failure after its retries, a retry), recovery,
 * the missed-run alert and auto-pause; by e-mail and webhook (generic JSON or Slack), one message per incident, every
 * attempt recorded on its execution.
 */
@ApplicationModule(
        allowedDependencies = {"audit", "common", "execution", "job", "outbound", "security", "template", "web"})
package dev.almanac.notify;

import org.springframework.modulith.ApplicationModule;
