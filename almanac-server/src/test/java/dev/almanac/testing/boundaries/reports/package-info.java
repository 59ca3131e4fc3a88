/** Fixture module: may use ledger's API, but reaches into its internals. */
@ApplicationModule(allowedDependencies = "ledger")
package dev.almanac.testing.boundaries.reports;

import org.springframework.modulith.ApplicationModule;
