package dev.almanac.security;

/**
 * Stored jobs' plain secrets were sealed in place (the upgrade from a release that stored them plain), by SQL of the
 * security feature's own: a copy of a job read before holds them as they were.
 *
 * @param jobs how many jobs changed
 */
public record JobSecretsSealed(int jobs) {}
