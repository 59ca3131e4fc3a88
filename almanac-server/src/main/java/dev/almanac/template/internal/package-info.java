/** Schema checks, the registered templates and the template API and pages. */
package dev.almanac.template.internal;
