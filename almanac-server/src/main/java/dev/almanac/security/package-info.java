/**
 * Who may do what: users and roles, form login and API tokens, the filter chains, per-user limits, and the sealing of
 * secrets at rest.
 */
@ApplicationModule(allowedDependencies = {"audit", "common", "template", "web"})
package dev.almanac.security;

import org.springframework.modulith.ApplicationModule;
