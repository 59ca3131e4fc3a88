/** The HTTP shell shared by every feature: problem responses, request limits, the front door. */
package dev.almanac.web;
