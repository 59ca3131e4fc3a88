/** The HTTP shell's filters, exception handling, page advice and OpenAPI setup. */
package dev.almanac.web.internal;
