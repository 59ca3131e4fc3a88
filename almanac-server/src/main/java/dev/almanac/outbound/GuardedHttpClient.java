package dev.almanac.outbound;

import dev.almanac.common.Durations;
import dev.almanac.common.RunControl;
import dev.almanac.outbound.internal.OutboundProperties;
import dev.almanac.template.OutboundHttp;
import dev.almanac.template.OutboundHttp.RefusedException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.stereotype.Component;

/**
 * HTTP out of Almanac behind the {@link AddressGuard}. The host is resolved and checked once; a plain-http call then
 * connects to exactly that address (the URL is rewritten to the IP, the Host header keeps the name), so a second DNS
 * answer cannot send it elsewhere. An https call keeps the name in the URL: certificate verification ties the
 * connection to that name, which an internal server cannot answer for. Redirects are followed by hand, each one
 * checked again; one that leaves the origin (scheme, host or port) goes without Authorization, Cookie,
 * Proxy-Authorization and the request's own credential headers. A call is aborted when its run stops, and never
 * outlives the run's deadline.
 */
@Component
public class GuardedHttpClient {

    static {
        allowHostHeader();
    }

    /**
     * Lets a plain-http call carry the Host name while it connects to the checked IP address. The JDK reads the
     * property once, when its HTTP client classes load, so {@code main} calls this before anything can use them.
     */
    public static void allowHostHeader() {
        String allowed = System.getProperty("jdk.httpclient.allowRestrictedHeaders", "");
        if (!allowed.toLowerCase(Locale.ROOT).contains("host")) {
            System.setProperty("jdk.httpclient.allowRestrictedHeaders", allowed.isBlank() ? "host" : allowed + ",host");
        }
    }

    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD");
    private static final Set<String> CREDENTIAL_HEADERS = Set.of("authorization", "cookie", "proxy-authorization");
    private static final Set<String> FORBIDDEN_HEADERS =
            Set.of("host", "connection", "content-length", "expect", "upgrade", "transfer-encoding");

    private final AddressGuard guard;
    private final OutboundProperties properties;
    // Built for the first request, not at start-up: the JDK's client classes and selector thread cost start-up CPU.
    private volatile HttpClient client;

    GuardedHttpClient(OutboundProperties properties) {
        this.properties = properties;
        this.guard = new AddressGuard(
                properties.allowedHosts(), properties.hostNamespaces(), java.net.InetAddress::getAllByName);
    }

    private HttpClient client() {
        HttpClient built = client;
        if (built == null) {
            synchronized (this) {
                built = client;
                if (built == null) {
                    built = HttpClient.newBuilder()
                            .followRedirects(HttpClient.Redirect.NEVER)
                            .connectTimeout(properties.connectTimeout())
                            .proxy(HttpClient.Builder.NO_PROXY)
                            .version(HttpClient.Version.HTTP_1_1)
                            .build();
                    client = built;
                }
            }
        }
        return built;
    }

    /** The guard this client applies, for the checks made when a job is saved. */
    public AddressGuard guard() {
        return guard;
    }

    /** The client as one run uses it. */
    public OutboundHttp forRun(RunControl run) {
        return forRun(run, guard);
    }

    /**
     * The client as one run of a job of {@code namespace} uses it: an allowed host kept to other namespaces is
     * refused ({@link AddressGuard#in(String)}).
     */
    public OutboundHttp forRun(RunControl run, String namespace) {
        return forRun(run, guard.in(namespace));
    }

    private OutboundHttp forRun(RunControl run, AddressGuard guard) {
        return new OutboundHttp() {
            @Override
            public Response send(Request request) throws IOException {
                return GuardedHttpClient.this.send(request, run, guard);
            }

            @Override
            public Optional<String> refusal(URI uri) {
                try {
                    guard.check(uri);
                    return Optional.empty();
                } catch (OutboundHttp.RefusedException refused) {
                    return Optional.of(refused.getMessage());
                }
            }
        };
    }

    /** Sends a request on behalf of a run: guarded, redirects checked, aborted when the run stops. */
    public OutboundHttp.Response send(OutboundHttp.Request request, RunControl run) throws IOException {
        return send(request, run, guard);
    }

    private OutboundHttp.Response send(OutboundHttp.Request request, RunControl run, AddressGuard guard)
            throws IOException {
        String method = request.method().toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("unsupported HTTP method " + request.method());
        }
        URI uri = request.uri();
        byte[] body = request.body();
        Map<String, String> headers = request.headers();
        for (int redirects = 0; ; redirects++) {
            run.checkStop();
            AddressGuard.Destination destination = guard.check(uri);
            OutboundHttp.Response response = exchange(method, destination, request, headers, body, run);
            if (!request.followRedirects() || !isRedirect(response.status())) {
                return response;
            }
            String location = response.header("location");
            if (location == null) {
                return response;
            }
            if (redirects >= properties.maxRedirects()) {
                throw new IOException("more than " + properties.maxRedirects() + " redirects");
            }
            URI next = resolve(uri, location);
            if (!sameOrigin(uri, next)) {
                // once dropped they stay dropped, also if a later hop comes back (as browsers and curl do)
                headers = withoutCredentials(headers, request.credentialHeaders());
            }
            uri = next;
            if (response.status() == 303
                    || ((response.status() == 301 || response.status() == 302) && method.equals("POST"))) {
                method = "GET";
                body = null;
            }
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /**
     * Whether a redirect stays on the origin (RFC 6454: scheme, host and port) that the credentials were meant for;
     * an https to http hop changes the scheme, so it never carries them in the clear.
     */
    private static boolean sameOrigin(URI from, URI to) {
        return from.getScheme().equalsIgnoreCase(String.valueOf(to.getScheme()))
                && from.getHost() != null
                && from.getHost().equalsIgnoreCase(to.getHost())
                && port(from) == port(to);
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static Map<String, String> withoutCredentials(Map<String, String> headers, Set<String> credentials) {
        Set<String> drop = new HashSet<>(CREDENTIAL_HEADERS);
        credentials.forEach(name -> drop.add(name.toLowerCase(Locale.ROOT)));
        Map<String, String> kept = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            if (!drop.contains(name.toLowerCase(Locale.ROOT))) {
                kept.put(name, value);
            }
        });
        return kept;
    }

    private static URI resolve(URI base, String location) throws RefusedException {
        try {
            return base.resolve(new URI(location));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new RefusedException("the redirect location is not a valid URL");
        }
    }

    private OutboundHttp.Response exchange(
            String method,
            AddressGuard.Destination destination,
            OutboundHttp.Request request,
            Map<String, String> headers,
            byte[] body,
            RunControl run)
            throws IOException {
        Duration timeout = request.timeout();
        Optional<Duration> remaining = run.remaining();
        if (remaining.isPresent() && remaining.get().compareTo(timeout) < 0) {
            timeout = remaining.get().isNegative() || remaining.get().isZero() ? Duration.ofMillis(1) : remaining.get();
        }
        URI uri = destination.uri();
        // no HttpRequest.timeout: it covers the headers only; the wait for the whole exchange below is the timeout
        HttpRequest.Builder builder = HttpRequest.newBuilder();
        if (uri.getScheme().equalsIgnoreCase("http")) {
            builder.uri(pinned(uri, destination));
            builder.header("Host", uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort());
        } else {
            builder.uri(uri);
        }
        builder.header("User-Agent", properties.userAgent());
        headers.forEach((name, value) -> {
            if (!FORBIDDEN_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                builder.header(name, value);
            }
        });
        builder.method(
                method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        // the body is read into memory as it comes (up to the cap) and the exchange's one future completes with it,
        // so the timeout bounds the whole exchange: a server that sends its headers and then goes silent, or
        // trickles its body, is given up at the timeout like one that never answers
        CappedBody handler = new CappedBody(request.maxResponseBytes());
        CompletableFuture<HttpResponse<Body>> future = client().sendAsync(builder.build(), handler);
        try (RunControl.Registration abort = run.onStop(() -> future.cancel(true))) {
            HttpResponse<Body> response;
            try {
                response = future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                future.cancel(true);
                run.checkStop();
                throw new HttpTimeoutException(
                        handler.headersReceived()
                                ? "timed out reading the response from " + destination.host() + " after "
                                        + Durations.spoken(timeout)
                                : "no response from " + destination.host() + " within " + Durations.spoken(timeout));
            } catch (CancellationException e) {
                run.checkStop();
                throw new IOException("the call was aborted");
            } catch (InterruptedException e) {
                future.cancel(true);
                run.checkStop();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + destination.host());
            } catch (ExecutionException e) {
                run.checkStop();
                Throwable cause = e.getCause();
                throw cause instanceof IOException io ? io : new IOException(cause.getMessage(), cause);
            }
            Body read = response.body();
            return new OutboundHttp.Response(
                    response.statusCode(), lowerCased(response.headers().map()), read.bytes(), read.truncated(), uri);
        }
    }

    private static URI pinned(URI uri, AddressGuard.Destination destination) throws RefusedException {
        String address = destination.address().getHostAddress();
        if (destination.address() instanceof Inet6Address) {
            int zone = address.indexOf('%');
            address = "[" + (zone < 0 ? address : address.substring(0, zone)) + "]";
        }
        // the raw path and query go out as written: URI's multi-argument constructors quote every '%' again
        // (a%20b would become a%2520b), which breaks signed and pre-encoded URLs
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        try {
            return new URI(
                    uri.getScheme() + "://" + address + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + path + query);
        } catch (URISyntaxException e) {
            throw new RefusedException("cannot address " + destination.host());
        }
    }

    private record Body(byte[] bytes, boolean truncated) {}

    /**
     * Keeps the first {@code max} bytes of a body; one longer is cut there (the rest is not read, the connection is
     * closed) and marked truncated.
     */
    private static final class CappedBody implements HttpResponse.BodyHandler<Body> {
        private final int max;
        private volatile boolean headers;

        CappedBody(int max) {
            this.max = Math.max(max, 0);
        }

        boolean headersReceived() {
            return headers;
        }

        @Override
        public HttpResponse.BodySubscriber<Body> apply(HttpResponse.ResponseInfo info) {
            headers = true;
            return new Subscriber(max);
        }

        private static final class Subscriber implements HttpResponse.BodySubscriber<Body> {
            private final int max;
            private final ByteArrayOutputStream out;
            private final CompletableFuture<Body> body = new CompletableFuture<>();
            private Flow.Subscription subscription;

            Subscriber(int max) {
                this.max = max;
                this.out = new ByteArrayOutputStream(Math.min(max, 64 * 1024));
            }

            @Override
            public CompletionStage<Body> getBody() {
                return body;
            }

            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                this.subscription = subscription;
                subscription.request(1);
            }

            @Override
            public void onNext(List<ByteBuffer> buffers) {
                if (body.isDone()) {
                    return;
                }
                for (ByteBuffer buffer : buffers) {
                    int keep = Math.min(buffer.remaining(), max - out.size());
                    byte[] bytes = new byte[keep];
                    buffer.get(bytes);
                    out.write(bytes, 0, keep);
                    if (buffer.hasRemaining()) {
                        body.complete(new Body(out.toByteArray(), true));
                        subscription.cancel();
                        return;
                    }
                }
                subscription.request(1);
            }

            @Override
            public void onError(Throwable error) {
                body.completeExceptionally(error);
            }

            @Override
            public void onComplete() {
                body.complete(new Body(out.toByteArray(), false));
            }
        }
    }

    private static Map<String, List<String>> lowerCased(Map<String, List<String>> headers) {
        Map<String, List<String>> lower = new LinkedHashMap<>();
        headers.forEach((name, values) -> lower.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
        return lower;
    }
}
