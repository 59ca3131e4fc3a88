/** Outbound calls: the SSRF-guarded HTTP client and the mail sender, for templates and notifications. */
package dev.almanac.outbound;
