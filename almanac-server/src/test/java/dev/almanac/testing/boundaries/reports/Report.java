package dev.almanac.testing.boundaries.reports;

import dev.almanac.testing.boundaries.ledger.internal.LedgerRows;

/** The wrong arrow into an internal package. */
class Report {

    long total() {
        return new LedgerRows().sum();
    }
}
