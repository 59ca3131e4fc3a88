/** The outbound settings. */
package dev.almanac.outbound.internal;
