/** Artifact rows, downloads and pages. */
package dev.almanac.artifact.internal;
