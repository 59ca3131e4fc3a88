/**
 * Job definitions and the registry service (create, read, update, delete, versions), and their admin pages, one
 * controller per screen: the list, the wizard (and clone), the job page, the versions.
 */
@ApplicationModule(
        allowedDependencies = {
            "audit",
            "calendar",
            "common",
            "outbound",
            "schedule",
            "script",
            "security",
            "target",
            "template",
            "web"
        })
package dev.almanac.job;

import org.springframework.modulith.ApplicationModule;
