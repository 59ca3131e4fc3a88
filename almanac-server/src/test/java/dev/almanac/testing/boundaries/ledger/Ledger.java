package dev.almanac.testing.boundaries.ledger;

import dev.almanac.testing.boundaries.ledger.internal.LedgerRows;

/** The fixture's published type. */
public class Ledger {

    public long balance() {
        return new LedgerRows().sum();
    }
}
