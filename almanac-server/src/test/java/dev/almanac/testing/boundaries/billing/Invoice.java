package dev.almanac.testing.boundaries.billing;

import dev.almanac.testing.boundaries.ledger.Ledger;

/** The wrong arrow to a module not in the allowed list. */
class Invoice {

    long due(Ledger ledger) {
        return ledger.balance();
    }
}
