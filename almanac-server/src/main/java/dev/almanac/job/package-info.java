/** Job definitions and the registry service: create, read, update, delete, versions. */
package dev.almanac.job;
