package dev.almanac.outbound;

import java.util.Map;
import java.util.Properties;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.JavaMailSenderImpl;

/** An {@link OutboundMail} to an SMTP server of a test's own, with socket time-outs of its own. */
public final class TestMailers {

    private TestMailers() {}

    public static OutboundMail at(String host, int port, int timeoutMillis) {
        JavaMailSenderImpl sender = new JavaMailSenderImpl();
        sender.setHost(host);
        sender.setPort(port);
        Properties properties = new Properties();
        for (String timeout : new String[] {"connectiontimeout", "timeout", "writetimeout"}) {
            properties.setProperty("mail.smtp." + timeout, Integer.toString(timeoutMillis));
        }
        sender.setJavaMailProperties(properties);
        StaticListableBeanFactory beans = new StaticListableBeanFactory(Map.of("mailSender", sender));
        return new OutboundMail(beans.getBeanProvider(JavaMailSender.class), "almanac@example.org");
    }
}
