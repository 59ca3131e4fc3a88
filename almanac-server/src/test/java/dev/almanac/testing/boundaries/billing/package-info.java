/** Fixture module: declares no dependencies, yet imports ledger. */
@ApplicationModule(allowedDependencies = {})
package dev.almanac.testing.boundaries.billing;

import org.springframework.modulith.ApplicationModule;
