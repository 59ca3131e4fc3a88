/** The job templates that ship with Almanac, registered through ServiceLoader like any plugin. */
package dev.almanac.template.builtin;
