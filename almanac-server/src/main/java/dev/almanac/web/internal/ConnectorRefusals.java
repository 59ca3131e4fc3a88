package dev.almanac.web.internal;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;

/**
 * What Tomcat answers itself, before any of Almanac's code sees the request (an address it will not decode, such as
 * {@code %2F} or {@code %00}, a query or header too long): RFC 9457 problem JSON like every other refusal, or a short
 * page for a browser, instead of Tomcat's own HTML report. Nothing of the request is echoed.
 */
@Configuration(proxyBeanMethods = false)
class ConnectorRefusals {

    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemErrorReports() {
        return factory -> factory.addContextCustomizers(context -> {
            if (context.getParent() instanceof StandardHost host) {
                host.setErrorReportValveClass(ProblemReportValve.class.getName());
            }
        });
    }

    /** The host's error report: only for an error nothing else answered (the application's own have a body). */
    public static class ProblemReportValve extends ErrorReportValve {

        static final String DETAIL_400 =
                "the request could not be read: its address, query or headers are malformed or too long";

        @Override
        protected void report(Request request, Response response, Throwable throwable) {
            int status = response.getStatus();
            if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
                return;
            }
            HttpStatus known = HttpStatus.resolve(status);
            String title = known == null ? "Error" : known.getReasonPhrase();
            String detail = status == 400 ? DETAIL_400 : title;
            String accept = request.getHeader("Accept");
            boolean page = accept != null && accept.contains("text/html");
            try {
                response.setCharacterEncoding(StandardCharsets.UTF_8.name());
                response.setContentType(page ? "text/html" : "application/problem+json");
                Writer writer = response.getReporter();
                if (writer == null) {
                    return;
                }
                writer.write(
                        page
                                ? "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + title
                                        + " – Almanac</title></head><body><h1>" + title + "</h1><p>" + detail
                                        + ".</p><p><a href=\"/\">Back to Almanac</a></p></body></html>"
                                : "{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status
                                        + ",\"detail\":\"" + detail + "\"}");
                response.finishResponse();
            } catch (IOException | IllegalStateException ignored) {
                // the client is gone, or the response was taken meanwhile: nothing more to say
            }
        }
    }
}
