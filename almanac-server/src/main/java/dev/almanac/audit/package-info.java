/** The audit trail: who changed, ran, saw refused or logged in to what, when and from where. */
package dev.almanac.audit;
