/**
 * Scripts: a team's own code in Python, shell or Node.js, kept as versions that a second person approves, and the
 * {@code script} template that runs an approved version inside a bubblewrap sandbox.
 */
@ApplicationModule(allowedDependencies = {"audit", "common", "security", "template", "web"})
package dev.almanac.script;

import org.springframework.modulith.ApplicationModule;
