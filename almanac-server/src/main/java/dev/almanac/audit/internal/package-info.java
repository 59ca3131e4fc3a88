/** The audit trail's storage, search, retention and pages. */
package dev.almanac.audit.internal;
