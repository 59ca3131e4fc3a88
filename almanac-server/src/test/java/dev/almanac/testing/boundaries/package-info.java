/**
 * Three tiny modules with two wrong arrows, so {@code ModuleStructureTests} can show that a wrong import fails: {@code
 * billing} uses {@code ledger} without declaring it, {@code reports} reaches into {@code ledger.internal}.
 */
package dev.almanac.testing.boundaries;
