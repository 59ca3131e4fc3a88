/** Types every feature shares: field errors and the exceptions the API turns into problem responses. */
@ApplicationModule(allowedDependencies = {})
package dev.almanac.common;

import org.springframework.modulith.ApplicationModule;
