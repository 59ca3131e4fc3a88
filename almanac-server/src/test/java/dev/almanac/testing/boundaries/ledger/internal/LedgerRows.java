package dev.almanac.testing.boundaries.ledger.internal;

/** The fixture's internal type: public for Java, hidden from other modules by the module model. */
public class LedgerRows {

    public long sum() {
        return 0;
    }
}
