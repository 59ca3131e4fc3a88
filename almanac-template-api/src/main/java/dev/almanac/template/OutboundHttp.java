package dev.almanac.template;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * HTTP out of Almanac, behind its SSRF guard, handed out by {@link JobContext#http()}. Only http and https URLs are
 * allowed, and only to public addresses or to hosts the operator allowed; every redirect is checked again, and one
 * that leaves the URL's origin is sent without the request's credential headers. A call is aborted when the run is
 * cancelled or passes its deadline.
 */
public interface OutboundHttp {

    /**
     * One request.
     *
     * @param method GET, POST, PUT, PATCH, DELETE or HEAD
     * @param uri an http or https URL
     * @param headers header names and values
     * @param body the body, or {@code null} for none
     * @param timeout the most the whole call may take (it is shortened to the run's remaining time)
     * @param maxResponseBytes the most of the response body kept; the rest is read and dropped
     * @param followRedirects whether to follow up to 5 redirects, each checked by the guard
     * @param credentialHeaders the names (any case) of further headers that carry credentials (API keys,
     *     signatures); like Authorization, Cookie and Proxy-Authorization they are not sent on to a redirect that
     *     leaves the URL's origin (scheme, host and port)
     */
    record Request(
            String method,
            URI uri,
            Map<String, String> headers,
            byte[] body,
            Duration timeout,
            int maxResponseBytes,
            boolean followRedirects,
            Set<String> credentialHeaders) {
        public Request {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(uri, "uri");
            headers = headers == null ? Map.of() : Map.copyOf(headers);
            timeout = timeout == null ? Duration.ofSeconds(30) : timeout;
            credentialHeaders = credentialHeaders == null ? Set.of() : Set.copyOf(credentialHeaders);
        }

        /**
         * A request whose only credential headers are Authorization, Cookie and Proxy-Authorization.
         *
         * @param method GET, POST, PUT, PATCH, DELETE or HEAD
         * @param uri an http or https URL
         * @param headers header names and values
         * @param body the body, or {@code null} for none
         * @param timeout the most the whole call may take (it is shortened to the run's remaining time)
         * @param maxResponseBytes the most of the response body kept; the rest is read and dropped
         * @param followRedirects whether to follow up to 5 redirects, each checked by the guard
         */
        public Request(
                String method,
                URI uri,
                Map<String, String> headers,
                byte[] body,
                Duration timeout,
                int maxResponseBytes,
                boolean followRedirects) {
            this(method, uri, headers, body, timeout, maxResponseBytes, followRedirects, Set.of());
        }
    }

    /**
     * The answer.
     *
     * @param status the HTTP status code
     * @param headers the response headers, names in lower case
     * @param body the first {@code maxResponseBytes} of the body
     * @param truncated whether the body was longer than what was kept
     * @param uri the URL that answered, after redirects
     */
    record Response(int status, Map<String, List<String>> headers, byte[] body, boolean truncated, URI uri) {
        /**
         * The first value of a header.
         *
         * @param name the header name, any case
         * @return the value, or {@code null}
         */
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    /** The guard refused the destination; retrying does not help. */
    class RefusedException extends IOException {
        /**
         * Creates the exception.
         *
         * @param message why the destination is refused
         */
        public RefusedException(String message) {
            super(message);
        }
    }

    /**
     * Why the guard would refuse a URL now, resolving its host as a call would; for a dry run's pre-flight. Sends
     * nothing.
     *
     * @param uri an http or https URL
     * @return the reason, or empty when a call may go there
     */
    default java.util.Optional<String> refusal(URI uri) {
        return java.util.Optional.empty();
    }

    /**
     * Sends a request.
     *
     * @param request the request
     * @return the response, whatever its status
     * @throws RefusedException when the guard refuses the URL or a redirect
     * @throws IOException on network errors and timeouts
     * @throws JobCancelledException when the run is cancelled or passes its deadline during the call
     */
    Response send(Request request) throws IOException;
}
