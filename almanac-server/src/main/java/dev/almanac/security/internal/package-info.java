/** Users, tokens, the filter chains, login, rate limits and the sealing passes, behind the security API. */
package dev.almanac.security.internal;
