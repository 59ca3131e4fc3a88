/** The HTTP shell shared by every feature: problem responses, request limits, the front door. */
@ApplicationModule(allowedDependencies = {"common"})
package dev.almanac.web;

import org.springframework.modulith.ApplicationModule;
