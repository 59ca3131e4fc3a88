package dev.almanac.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.almanac.template.OutboundHttp.RefusedException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The SSRF guard's table: every address class and spelling that must never be called, and what may. */
class AddressGuardTest {

    /** Stands in for DNS: these names resolve to these addresses, anything else does not resolve. */
    static final Map<String, List<String>> DNS = Map.of(
            "public.example", List.of("93.184.215.14"),
            "rebinding.example", List.of("10.0.0.5"),
            "metadata.example", List.of("169.254.169.254"),
            "mixed.example", List.of("93.184.215.14", "192.168.0.10"),
            "six.example", List.of("2606:4700:4700::1111"),
            "localhost", List.of("127.0.0.1", "::1"),
            "allowed.internal", List.of("10.1.2.3"));

    final AddressGuard guard = new AddressGuard(List.of("allowed.internal", "[fd00::7]"), AddressGuardTest::resolve);

    static InetAddress[] resolve(String host) throws UnknownHostException {
        List<String> addresses = DNS.get(host);
        if (addresses == null) {
            if (host.matches("[0-9.]+") || host.contains(":")) {
                return new InetAddress[] {InetAddress.getByName(host)};
            }
            throw new UnknownHostException(host);
        }
        InetAddress[] resolved = new InetAddress[addresses.size()];
        for (int i = 0; i < resolved.length; i++) {
            resolved[i] = InetAddress.getByName(addresses.get(i));
        }
        return resolved;
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://127.0.0.1/",
                "http://127.8.9.10:8080/x",
                "http://localhost/",
                "http://[::1]/",
                "http://0.0.0.0/",
                "http://[::]/",
                "http://10.0.0.1/",
                "http://172.16.5.4/",
                "http://172.31.255.255/",
                "http://192.168.1.1/",
                "http://169.254.169.254/latest/meta-data/",
                "http://metadata.example/",
                "http://[fe80::1]/",
                "http://100.64.0.1/",
                "http://100.127.255.254/",
                "http://[fc00::1]/",
                "http://[fd12:3456::1]/",
                "http://224.0.0.1/",
                "http://[ff02::1]/",
                "http://255.255.255.255/",
                "http://240.0.0.1/",
                "http://198.18.0.1/",
                "http://192.0.0.8/",
                "http://[::ffff:127.0.0.1]/",
                "http://[::ffff:169.254.169.254]/",
                "http://[::ffff:7f00:1]/",
                "http://[::127.0.0.1]/",
                "http://[64:ff9b::a9fe:a9fe]/",
                "http://[2002:7f00:1::1]/",
                "http://2130706433/",
                "http://017700000001/",
                "http://0x7f000001/",
                "http://0x7f.0.0.1/",
                "http://0177.0.0.1/",
                "http://127.1/",
                "http://127.0.1/",
                "http://10.1/",
                "http://012.0.0.1/",
                "http://rebinding.example/",
                "http://mixed.example/",
                "http://does-not-resolve.invalid/",
                "ftp://public.example/",
                "file:///etc/passwd",
                "gopher://public.example/",
                "jar:http://public.example/x.jar!/",
                "dict://public.example:11211/",
                "http://user:secret@public.example/",
                "//public.example/",
                "http:///nohost"
            })
    void refuses(String url) {
        assertThatThrownBy(() -> guard.check(URI.create(url))).isInstanceOf(RefusedException.class);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://public.example/hook",
                "http://public.example:8080/x?y=1",
                "http://93.184.215.14/",
                "https://six.example/",
                "http://[2606:4700:4700::1111]/",
                "http://allowed.internal/",
                "http://[fd00::7]/"
            })
    void allows(String url) throws RefusedException {
        AddressGuard.Destination destination = guard.check(URI.create(url));
        assertThat(destination.address()).isNotNull();
    }

    @Test
    void connectsToTheAddressItChecked() throws RefusedException {
        AddressGuard.Destination destination = guard.check(URI.create("http://public.example/"));

        assertThat(destination.address().getHostAddress()).isEqualTo("93.184.215.14");
        assertThat(destination.host()).isEqualTo("public.example");
    }

    @Test
    void refusesWithoutLookupWhatItCanJudgeFromTheTextAlone() {
        AddressGuard real = new AddressGuard(List.of("localhost"));

        assertThat(real.refusalWithoutLookup("http://169.254.169.254/")).contains("link-local");
        assertThat(real.refusalWithoutLookup("http://[::ffff:10.0.0.1]/")).contains("IPv4-mapped");
        assertThat(real.refusalWithoutLookup("file:///etc/passwd")).contains("only http and https");
        assertThat(real.refusalWithoutLookup("http://2130706433/")).contains("decimal");
        assertThat(real.refusalWithoutLookup("http://exa mple.com/")).contains("whitespace");
        assertThat(real.refusalWithoutLookup("https://hooks.example.com/x")).isNull();
        assertThat(real.refusalWithoutLookup("http://localhost:8080/")).isNull();
    }

    @Test
    void aSaveRefusesANameForAnInternalAddressAndDoesNotWaitForAResolverThatDoesNotAnswer() throws Exception {
        assertThat(guard.refusalOnSave("http://rebinding.example/hook")).isNotNull();
        assertThat(guard.refusalOnSave("http://public.example/hook")).isNull();
        assertThat(guard.refusalOnSave("http://nowhere.example/hook")).isNull();

        CountDownLatch answer = new CountDownLatch(1);
        AddressGuard stalled = new AddressGuard(List.of(), host -> {
            try {
                answer.await(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new InetAddress[] {InetAddress.getByName("10.0.0.5")};
        });
        try {
            long started = System.nanoTime();
            assertThat(stalled.refusalOnSave("http://stalled.example/hook"))
                    .as("not resolved in time: left to the call, which checks again and fails closed")
                    .isNull();
            assertThat(Duration.ofNanos(System.nanoTime() - started))
                    .isGreaterThanOrEqualTo(AddressGuard.SAVE_LOOKUP_LIMIT)
                    .isLessThan(Duration.ofSeconds(30));

            long save = System.nanoTime();
            List<String> refusals = AddressGuard.withinOneLookupBudget(() -> List.of(
                    String.valueOf(stalled.refusalOnSave("http://one.example/hook")),
                    String.valueOf(stalled.in("team").refusalOnSave("http://two.example/hook")),
                    String.valueOf(stalled.refusalOnSave("http://three.example/hook"))));
            assertThat(refusals).containsOnly("null");
            assertThat(Duration.ofNanos(System.nanoTime() - save))
                    .as("a save's look-ups share one budget")
                    .isLessThan(AddressGuard.SAVE_LOOKUP_LIMIT.multipliedBy(2));

            assertThat(AddressGuard.withinOneLookupBudget(() -> guard.refusalOnSave("http://rebinding.example/hook")))
                    .as("the next save has a budget of its own")
                    .isNotNull();
        } finally {
            answer.countDown();
        }
    }

    @Test
    void aResolverThatFailsOtherwiseFailsTheCheckAsItDid() {
        AddressGuard broken = new AddressGuard(List.of(), host -> {
            throw new IllegalArgumentException("resolver broken");
        });

        assertThatThrownBy(() -> broken.refusalOnSave("http://any.example/"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("resolver broken");
    }
}
