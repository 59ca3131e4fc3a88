/**
 * The job templates that ship with Almanac, registered through ServiceLoader like any plugin. A module of its own
 * inside {@code template}: the system jobs read history, users and incidents through the features that own them, and
 * those features use the template SPI, so as part of {@code template} they would close a cycle.
 */
@ApplicationModule(allowedDependencies = {"template", "execution", "job", "notify", "security"})
package dev.almanac.template.builtin;

import org.springframework.modulith.ApplicationModule;
