/** The audit trail: who changed, ran, saw refused or logged in to what, when and from where. */
@ApplicationModule(allowedDependencies = {"common", "web"})
package dev.almanac.audit;

import org.springframework.modulith.ApplicationModule;
