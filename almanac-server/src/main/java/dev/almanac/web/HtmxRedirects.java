package dev.almanac.web;

import io.github.wimdeblauwe.htmx.spring.boot.mvc.HtmxViewResolver;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Lets a page answer {@code "redirect:htmx:/path"} (an HX-Redirect that keeps flash attributes). htmx-spring-boot
 * registers its resolver behind Thymeleaf's, which takes every {@code "redirect:"} as a plain one; this one goes
 * first, and resolves only the {@code htmx:} prefixes.
 */
@Configuration(proxyBeanMethods = false)
class HtmxRedirects {

    @Bean
    HtmxViewResolver htmxRedirectViewResolver() {
        HtmxViewResolver resolver = new HtmxViewResolver();
        resolver.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
        return resolver;
    }
}
