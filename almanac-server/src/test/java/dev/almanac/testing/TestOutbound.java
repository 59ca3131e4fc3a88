package dev.almanac.testing;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.util.LinkedHashMap;
import java.util.Map;
import mockwebserver3.MockWebServer;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * What tests that send mail and call webhooks share: one real SMTP server (GreenMail) for the test JVM, and the
 * settings that point Almanac at it and let loopback webhooks (MockWebServer) through the SSRF guard.
 */
public final class TestOutbound {

    public static final GreenMail SMTP = new GreenMail(ServerSetupTest.SMTP.dynamicPort());

    static {
        SMTP.start();
    }

    private TestOutbound() {}

    /** The parameters with any URL in them pointed at {@code server}, as the operator's allowed hosts would let it. */
    public static Map<String, Object> reachableAt(MockWebServer server, Map<String, Object> parameters) {
        Map<String, Object> copy = new LinkedHashMap<>(parameters);
        copy.replaceAll((key, value) -> value instanceof String text && text.matches("https?://.*")
                ? server.url("/hook").toString()
                : value);
        return copy;
    }

    /** For a {@code @DynamicPropertySource}: mail to {@link #SMTP}, HTTP to localhost allowed. */
    public static void register(DynamicPropertyRegistry registry) {
        registry.add("almanac.http.allowed-hosts", () -> "localhost");
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", () -> SMTP.getSmtp().getPort());
        registry.add("almanac.mail.from", () -> "almanac@example.org");
    }
}
