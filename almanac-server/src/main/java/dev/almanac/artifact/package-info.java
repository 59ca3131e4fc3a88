/** Artifacts: the files runs produce (exports, reports, backups), kept under the data directory and downloadable. */
@ApplicationModule(allowedDependencies = {"common", "execution", "template", "web"})
package dev.almanac.artifact;

import org.springframework.modulith.ApplicationModule;
