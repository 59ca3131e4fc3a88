package dev.almanac.outbound.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Outbound HTTP ({@code almanac.http.*}).
 *
 * @param allowedHosts host names (or IP literals) that may be called although they resolve to addresses the SSRF
 *     guard refuses (loopback, private networks...); the only way around the guard
 * @param connectTimeout how long connecting may take
 * @param maxRedirects the most redirects one call follows, each checked by the guard
 * @param userAgent the User-Agent header of every call
 * @param hostNamespaces for an allowed host, the namespaces whose jobs may call it (a host not listed here: every
 *     namespace); a host name with dots is written in brackets: {@code almanac.http.host-namespaces[db.internal]=a,b}
 */
@ConfigurationProperties("almanac.http")
public record OutboundProperties(
        List<String> allowedHosts,
        @DefaultValue("10s") Duration connectTimeout,
        @DefaultValue("5") int maxRedirects,
        @DefaultValue("Almanac-Scheduler") String userAgent,
        Map<String, List<String>> hostNamespaces) {

    @ConstructorBinding
    public OutboundProperties {
        allowedHosts = allowedHosts == null ? List.of() : List.copyOf(allowedHosts);
        hostNamespaces = hostNamespaces == null ? Map.of() : Map.copyOf(hostNamespaces);
    }

    /** Every allowed host open to every namespace. */
    public OutboundProperties(List<String> allowedHosts, Duration connectTimeout, int maxRedirects, String userAgent) {
        this(allowedHosts, connectTimeout, maxRedirects, userAgent, null);
    }
}
