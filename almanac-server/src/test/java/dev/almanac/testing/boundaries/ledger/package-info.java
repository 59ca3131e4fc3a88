/** Fixture module: owns its rows, depends on nothing. */
@ApplicationModule(allowedDependencies = {})
package dev.almanac.testing.boundaries.ledger;

import org.springframework.modulith.ApplicationModule;
