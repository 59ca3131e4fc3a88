/** The job screens (list, wizard and clone, job page, versions), the REST controller and their page helpers. */
package dev.almanac.job.internal;
