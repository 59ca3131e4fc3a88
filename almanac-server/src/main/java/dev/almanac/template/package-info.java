/** The template registry: discovers job templates, checks their schemas, validates parameters, lists them. */
@ApplicationModule(allowedDependencies = {"common", "web"})
package dev.almanac.template;

import org.springframework.modulith.ApplicationModule;
