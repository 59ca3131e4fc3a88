/**
 * Job definitions and the registry service (create, read, update, delete, versions), and their admin pages, one
 * controller per screen: the list, the wizard (and clone), the job page, the versions.
 */
package dev.almanac.job;
