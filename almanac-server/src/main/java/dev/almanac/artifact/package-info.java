/** Artifacts: the files runs produce (exports, reports, backups), kept under the data directory and downloadable. */
package dev.almanac.artifact;
