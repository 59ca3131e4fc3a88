package dev.almanac.security.internal;

import dev.almanac.audit.AuditTrail;
import dev.almanac.common.NotFoundException;
import dev.almanac.security.NamespaceAccess;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.util.UriUtils;

/**
 * Every page under a job or an execution ({@code /jobs/<id>/...}, {@code /executions/<id>/...}) answers 404, as for
 * one that does not exist, when the object lives in a namespace the reader may not see: the pages were written for
 * the global roles, and this keeps a namespace member out of other teams' objects on all of them at once. What a
 * member may change there is checked again by the services ({@code Permissions}).
 */
@Configuration(proxyBeanMethods = false)
class NamespacePageGuard implements WebMvcConfigurer {

    private final ObjectProvider<NamespaceAccess> access;
    private final ObjectProvider<AuditTrail> audit;

    /** Providers, because a test's web slice has the pages' configuration without the security feature's beans. */
    NamespacePageGuard(ObjectProvider<NamespaceAccess> access, ObjectProvider<AuditTrail> audit) {
        this.access = access;
        this.audit = audit;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        NamespaceAccess namespaces = access.getIfAvailable();
        AuditTrail trail = audit.getIfAvailable();
        if (namespaces != null && trail != null) {
            registry.addInterceptor(new Guard(namespaces, trail))
                    .addPathPatterns("/jobs/*", "/jobs/*/**", "/executions/*", "/executions/*/**");
        }
    }

    private record Guard(NamespaceAccess access, AuditTrail audit) implements HandlerInterceptor {

        @Override
        public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
            if (access.global()) {
                return true;
            }
            // decoded as the handler's path variables are: an id with an encoded character is the same id
            String[] segments = UriUtils.decode(request.getRequestURI(), StandardCharsets.UTF_8)
                    .split("/");
            if (segments.length < 3 || !isUuid(segments[2])) {
                return true; // /jobs/new, /jobs/wizard, /executions/table: no object of one namespace
            }
            String type = segments[1].equals("jobs") ? "job" : "execution";
            String namespace = audit.namespaceOf(AuditTrail.Target.of(type, segments[2], null));
            // an object of no namespace (a deleted job's history) is for the global roles only
            access.requireVisible(namespace, () -> new NotFoundException("no " + type + " with id " + segments[2]));
            return true;
        }
    }

    private static boolean isUuid(String text) {
        try {
            UUID.fromString(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
