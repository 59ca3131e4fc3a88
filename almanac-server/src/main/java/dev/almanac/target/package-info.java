/** Target databases: the operator-configured databases templates act on, their allowlists and guarded connections. */
@ApplicationModule(allowedDependencies = {"common", "security", "template"})
package dev.almanac.target;

import org.springframework.modulith.ApplicationModule;
