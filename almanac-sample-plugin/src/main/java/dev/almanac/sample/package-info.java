/** A sample job template plugin: what a third party writes to add a template to Almanac. */
package dev.almanac.sample;
