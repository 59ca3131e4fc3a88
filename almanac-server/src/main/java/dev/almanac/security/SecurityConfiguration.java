package dev.almanac.security;

import dev.almanac.web.Problems;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one filter chain every request passes. Deny by default: only the paths named here are reachable. Until
 * users and tokens exist (the security issue), the scheduler API is open; it is the only rule that will change.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    @Bean
    SecurityFilterChain almanacSecurity(HttpSecurity http, JsonMapper json) throws Exception {
        http.authorizeHttpRequests(requests -> requests.requestMatchers("/", "/error")
                        .permitAll()
                        // The admin UI (issue 7); open like the API until the security issue puts both behind login.
                        .requestMatchers(
                                "/jobs", "/jobs/**", "/executions", "/executions/**", "/templates", "/templates/**")
                        .permitAll()
                        .requestMatchers("/css/**", "/js/**", "/img/**", "/webjars/**", "/favicon.ico")
                        .permitAll()
                        .requestMatchers("/docs", "/docs/**", "/swagger-ui/**", "/v3/api-docs", "/v3/api-docs/**")
                        .permitAll()
                        .requestMatchers("/actuator/health", "/actuator/health/**")
                        .permitAll()
                        .requestMatchers("/api/admin/scheduler/**")
                        .permitAll()
                        .anyRequest()
                        .denyAll())
                .csrf(csrf -> csrf.ignoringRequestMatchers("/api/**"))
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .headers(headers -> headers.frameOptions(frame -> frame.deny()))
                .exceptionHandling(errors -> errors.authenticationEntryPoint((request, response, e) -> Problems.write(
                                request, response, json, HttpStatus.UNAUTHORIZED, "authentication is required", null))
                        .accessDeniedHandler((request, response, e) -> Problems.write(
                                request, response, json, HttpStatus.FORBIDDEN, "access is denied", null)));
        return http.build();
    }
}
