package dev.almanac.outbound;

import dev.almanac.template.OutboundHttp.RefusedException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The SSRF guard: decides whether Almanac may call a URL, and which address it then connects to. Only http and
 * https; the host is resolved once and every address it resolves to must be public — not loopback, private,
 * link-local (cloud metadata at 169.254.169.254), CGNAT, unique-local, multicast, unspecified, reserved, or an IPv6
 * form that embeds an IPv4 address. IPv4 written in decimal, octal, hex or short forms is refused outright, and a
 * host that does not resolve is refused (fail closed). Hosts the operator lists in {@code almanac.http.allowed-hosts}
 * are the only exception; {@code almanac.http.host-namespaces} keeps such a host to some namespaces' jobs ({@link
 * #in(String)}).
 */
public final class AddressGuard {

    /** Where to connect for a URL the guard accepted. */
    public record Destination(URI uri, String host, InetAddress address, boolean allowlisted) {}

    /** Resolves host names; a seam for tests of the resolution rules. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private static final Pattern NUMERIC_HOST = Pattern.compile("(0x[0-9a-f]*|[0-9]+)(\\.(0x[0-9a-f]*|[0-9]*))*\\.?");
    private static final Pattern CANONICAL_IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}");

    /** The longest a job's save waits for its host names to resolve ({@link #refusalOnSave}), all of them together. */
    static final Duration SAVE_LOOKUP_LIMIT = Duration.ofSeconds(1);

    /** The deadline of the save whose checks run on this thread ({@link #withinOneLookupBudget}), or null. */
    private static final ThreadLocal<Long> SAVE_DEADLINE = new ThreadLocal<>();

    /**
     * Save-time look-ups, on at most 8 daemon threads; a look-up a save stopped waiting for ends with the resolver's
     * own timeout, and while 8 are waiting a save does not look up at all.
     */
    private static final ExecutorService SAVE_LOOKUPS =
            new ThreadPoolExecutor(0, 8, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), runnable -> {
                Thread thread = new Thread(runnable, "almanac-save-lookup");
                thread.setDaemon(true);
                return thread;
            });

    private final Set<String> allowedHosts;
    private final Resolver resolver;
    /** Allowed hosts kept to some namespaces, with those namespaces. */
    private final Map<String, List<String>> hostNamespaces;
    /** The namespace this guard checks for (null: a guard for every namespace), and the allowed hosts it may not use. */
    private final String namespace;

    private final Set<String> withheld;

    public AddressGuard(Collection<String> allowedHosts) {
        this(allowedHosts, InetAddress::getAllByName);
    }

    public AddressGuard(Collection<String> allowedHosts, Resolver resolver) {
        this(allowedHosts, Map.of(), resolver);
    }

    /** {@code hostNamespaces}: allowed hosts that only these namespaces' jobs may call (see {@link #in(String)}). */
    public AddressGuard(Collection<String> allowedHosts, Map<String, List<String>> hostNamespaces, Resolver resolver) {
        this(
                allowedHosts.stream()
                        .map(host -> unbracket(host.strip().toLowerCase(Locale.ROOT)))
                        .collect(Collectors.toUnmodifiableSet()),
                hostNamespaces.entrySet().stream()
                        .collect(Collectors.toUnmodifiableMap(
                                e -> unbracket(e.getKey().strip().toLowerCase(Locale.ROOT)),
                                e -> e.getValue().stream().map(String::strip).toList(),
                                (a, b) -> a)),
                resolver,
                null,
                Set.of());
    }

    private AddressGuard(
            Set<String> allowedHosts,
            Map<String, List<String>> hostNamespaces,
            Resolver resolver,
            String namespace,
            Set<String> withheld) {
        this.allowedHosts = allowedHosts;
        this.hostNamespaces = hostNamespaces;
        this.resolver = resolver;
        this.namespace = namespace;
        this.withheld = withheld;
    }

    /**
     * The guard as the jobs of {@code namespace} meet it: an allowed host kept to other namespaces ({@code
     * almanac.http.host-namespaces}) is refused, naming the grant, instead of being let through.
     */
    public AddressGuard in(String namespace) {
        Set<String> withheld = allowedHosts.stream()
                .filter(host -> hostNamespaces.containsKey(host)
                        && !hostNamespaces.get(host).contains(namespace))
                .collect(Collectors.toUnmodifiableSet());
        Set<String> allowed =
                allowedHosts.stream().filter(host -> !withheld.contains(host)).collect(Collectors.toUnmodifiableSet());
        return new AddressGuard(allowed, hostNamespaces, resolver, namespace, withheld);
    }

    /** The allowed hosts the jobs of {@code namespace} may call, sorted. */
    public List<String> allowedHostsOf(String namespace) {
        return in(namespace).allowedHosts.stream().sorted().toList();
    }

    /**
     * Checks a URL without resolving it: scheme, host syntax, literal addresses. For validating parameters on the
     * request path, where no I/O may happen.
     *
     * @return why the URL is refused, or {@code null} when it may be tried
     */
    public String refusalWithoutLookup(String url) {
        try {
            URI uri = parse(url);
            String host = host(uri);
            if (allowedHosts.contains(host)) {
                return null;
            }
            if (isLiteral(host)) {
                checkAddress(host, InetAddress.getByName(host));
            }
            return null;
        } catch (RefusedException | UnknownHostException refused) {
            return refused.getMessage();
        }
    }

    /**
     * Checks a URL as a job is saved: everything {@link #refusalWithoutLookup} checks, and for a host name the
     * addresses it resolves to now, so a name for an internal address ({@code localhost}, an internal DNS name) is
     * refused at once. A name that does not resolve, or not within {@link #SAVE_LOOKUP_LIMIT}, is not refused here: it
     * may resolve from where and when the call is made, and the call checks again and fails closed.
     *
     * @return why the URL is refused, or {@code null} when it may be saved
     */
    public String refusalOnSave(String url) {
        String refusal = refusalWithoutLookup(url);
        if (refusal != null) {
            return refusal;
        }
        try {
            URI uri = parse(url);
            String host = host(uri);
            if (allowedHosts.contains(host) || isLiteral(host)) {
                return null;
            }
            InetAddress[] addresses = resolvedForSave(host);
            for (InetAddress address : addresses == null ? new InetAddress[0] : addresses) {
                checkAddress(host, address);
            }
            return null;
        } catch (RefusedException refused) {
            return refused.getMessage();
        }
    }

    /**
     * Runs a save's checks with {@link #SAVE_LOOKUP_LIMIT} in all for their host-name look-ups
     * ({@link #refusalOnSave}): a save with many URLs on a resolver that does not answer waits about a second, not a
     * second for each. Inside an outer budget, the outer one holds.
     */
    public static <T> T withinOneLookupBudget(Supplier<T> checks) {
        if (SAVE_DEADLINE.get() != null) {
            return checks.get();
        }
        SAVE_DEADLINE.set(System.nanoTime() + SAVE_LOOKUP_LIMIT.toNanos());
        try {
            return checks.get();
        } finally {
            SAVE_DEADLINE.remove();
        }
    }

    /**
     * The host's addresses, or null when it does not resolve within {@link #SAVE_LOOKUP_LIMIT}, or within what is left
     * of the save's budget ({@link #withinOneLookupBudget}): a save runs in a transaction, which must not wait on a
     * resolver that does not answer (PostgreSQL ends a transaction left waiting, see the engine's
     * {@code CutOffSessionLimits}), and a name not resolved in time is treated like one that does not resolve.
     */
    private InetAddress[] resolvedForSave(String host) {
        Long deadline = SAVE_DEADLINE.get();
        long wait = deadline == null ? SAVE_LOOKUP_LIMIT.toNanos() : deadline - System.nanoTime();
        if (wait <= 0) {
            return null;
        }
        Future<InetAddress[]> lookup;
        try {
            lookup = SAVE_LOOKUPS.submit(() -> resolver.resolve(host));
        } catch (RejectedExecutionException busy) {
            return null; // as many look-ups as the pool holds are waiting for the resolver already
        }
        try {
            return lookup.get(wait, TimeUnit.NANOSECONDS);
        } catch (TimeoutException late) {
            lookup.cancel(true);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException failed) {
            Throwable cause = failed.getCause();
            if (cause instanceof UnknownHostException || cause instanceof SecurityException) {
                return null;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("could not resolve " + host, cause);
        }
    }

    /** Checks a URL and resolves its host once; the caller connects to the returned address. */
    public Destination check(URI uri) throws RefusedException {
        String host = host(checkScheme(uri));
        boolean allowlisted = allowedHosts.contains(host);
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException | SecurityException e) {
            throw new RefusedException("host '" + host + "' does not resolve; refused (fail closed)");
        }
        if (addresses == null || addresses.length == 0) {
            throw new RefusedException("host '" + host + "' does not resolve; refused (fail closed)");
        }
        if (!allowlisted) {
            for (InetAddress address : addresses) {
                checkAddress(host, address);
            }
        }
        return new Destination(uri, host, addresses[0], allowlisted);
    }

    static URI parse(String url) throws RefusedException {
        if (url == null || url.isBlank()) {
            throw new RefusedException("a URL is required");
        }
        if (url.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
            throw new RefusedException("the URL contains whitespace or control characters");
        }
        try {
            return checkScheme(new URI(url));
        } catch (java.net.URISyntaxException e) {
            throw new RefusedException("not a valid URL: " + e.getReason());
        }
    }

    private static URI checkScheme(URI uri) throws RefusedException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new RefusedException("only http and https URLs are allowed, not '" + scheme + "'");
        }
        if (uri.getRawUserInfo() != null) {
            throw new RefusedException("credentials in the URL are not allowed; use a header");
        }
        return uri;
    }

    private String host(URI uri) throws RefusedException {
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new RefusedException("the URL has no host");
        }
        host = unbracket(host.toLowerCase(Locale.ROOT));
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        if (withheld.contains(host)) {
            throw new RefusedException("host '" + host + "' is an allowed internal host, but not granted to namespace '"
                    + namespace + "'; an operator grants it with almanac.http.host-namespaces");
        }
        if (!allowedHosts.contains(host)
                && NUMERIC_HOST.matcher(host).matches()
                && !CANONICAL_IPV4.matcher(host).matches()) {
            throw new RefusedException("'" + host + "' is an IPv4 address in a decimal, octal, hex or short form;"
                    + " write it as four decimal numbers");
        }
        return host;
    }

    private static boolean isLiteral(String host) {
        return host.contains(":") || CANONICAL_IPV4.matcher(host).matches();
    }

    private static String unbracket(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** Refuses every address that is not a public unicast address. */
    static void checkAddress(String host, InetAddress address) throws RefusedException {
        String why = refusal(host, address);
        if (why != null) {
            throw new RefusedException(
                    "'" + host + "' resolves to " + address.getHostAddress() + ", " + why + "; refused");
        }
    }

    private static String refusal(String host, InetAddress address) {
        if (host.contains(":") && address instanceof Inet4Address) {
            return "an IPv4-mapped IPv6 address";
        }
        if (address.isAnyLocalAddress()) {
            return "the unspecified address";
        }
        if (address.isLoopbackAddress()) {
            return "a loopback address";
        }
        if (address.isLinkLocalAddress()) {
            return "a link-local address (cloud metadata lives here)";
        }
        if (address.isSiteLocalAddress()) {
            return "a private address";
        }
        if (address.isMulticastAddress()) {
            return "a multicast address";
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            if (first == 0) {
                return "in 0.0.0.0/8 (this network)";
            }
            if (first == 100 && second >= 64 && second <= 127) {
                return "a carrier-grade NAT address (100.64.0.0/10)";
            }
            if (first == 192 && second == 0 && (b[2] & 0xff) == 0) {
                return "an IETF protocol assignment (192.0.0.0/24)";
            }
            if (first == 198 && (second == 18 || second == 19)) {
                return "a benchmarking address (198.18.0.0/15)";
            }
            if (first >= 240) {
                return "a reserved or broadcast address";
            }
            return null;
        }
        if (address instanceof Inet6Address) {
            int first = b[0] & 0xff;
            if ((first & 0xfe) == 0xfc) {
                return "a unique-local address (fc00::/7)";
            }
            if ((first & 0xff) == 0xfe && (b[1] & 0xc0) == 0xc0) {
                return "a site-local address (fec0::/10)";
            }
            boolean zeroPrefix = true;
            for (int i = 0; i < 12; i++) {
                zeroPrefix &= b[i] == 0;
            }
            if (zeroPrefix) {
                return "an IPv4-compatible IPv6 address";
            }
            if (first == 0x00 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b) {
                return "a NAT64 address embedding IPv4 (64:ff9b::/96)";
            }
            if (first == 0x20 && b[1] == 0x02) {
                return "a 6to4 address embedding IPv4 (2002::/16)";
            }
            if (first == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) {
                return "a Teredo address embedding IPv4 (2001::/32)";
            }
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            if (mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
                return "an IPv4-mapped IPv6 address";
            }
        }
        return null;
    }
}
