/** Outbound calls: the SSRF-guarded HTTP client and the mail sender, for templates and notifications. */
@ApplicationModule(allowedDependencies = {"common", "template"})
package dev.almanac.outbound;

import org.springframework.modulith.ApplicationModule;
