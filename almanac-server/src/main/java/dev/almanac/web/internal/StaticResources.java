package dev.almanac.web.internal;

import java.time.Duration;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.CacheControl;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.resource.VersionResourceResolver;

/**
 * The UI's static files under their own four prefixes, at content-versioned URLs ({@code /css/almanac-<md5>.css}) that
 * browsers may keep for a year. Boot's catch-all {@code /**} mapping is off ({@code spring.web.resources.add-mappings}):
 * with it, every link a page renders ({@code /jobs/42/edit} too) was looked up as a file, and misses are never cached.
 */
@Configuration(proxyBeanMethods = false)
class StaticResources implements WebMvcConfigurer {

    private static final CacheControl A_YEAR =
            CacheControl.maxAge(Duration.ofDays(365)).cachePublic().immutable();

    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        serve(registry, "/css/**", "classpath:/static/css/");
        serve(registry, "/js/**", "classpath:/static/js/");
        serve(registry, "/img/**", "classpath:/static/img/");
        serve(registry, "/webjars/**", "classpath:/META-INF/resources/webjars/");
    }

    /** The chain's cache keeps each resolved URL and file, so a page's links are hashed once per start. */
    private static void serve(ResourceHandlerRegistry registry, String pattern, String location) {
        registry.addResourceHandler(pattern)
                .addResourceLocations(location)
                .setCacheControl(A_YEAR)
                .resourceChain(true)
                .addResolver(new VersionResourceResolver().addContentVersionStrategy("/**"));
    }
}
