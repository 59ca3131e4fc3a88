/** The job template SPI: what a template declares, validates and does when it runs. */
package dev.almanac.template;
