/** Who may do what: the filter chain, and who the current actor is. */
package dev.almanac.security;
