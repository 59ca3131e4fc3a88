/** The template registry: discovers job templates, checks their schemas, validates parameters, lists them. */
package dev.almanac.template;
