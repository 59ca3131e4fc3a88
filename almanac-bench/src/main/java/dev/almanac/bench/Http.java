package dev.almanac.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A plain HTTP/1.1 client on loopback, timing each request from send to the last byte of the body. */
final class Http {

    record Response(int status, String body, long nanos) {
        double millis() {
            return nanos / 1e6;
        }

        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final String base;
    private final String authorization;

    private Http(String base, String authorization) {
        this.base = base;
        this.authorization = authorization;
    }

    /**
     * A client of the API at {@code base} (…/api/admin/scheduler) acting as {@code user}: it logs in once with HTTP
     * Basic to create an API token, then sends the token, so no measured request pays for a password check.
     */
    static Http loggedIn(String base, String user, String password) throws IOException, InterruptedException {
        String basic = "Basic "
                + java.util.Base64.getEncoder()
                        .encodeToString((user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Response token = new Http(base, basic).post("/tokens", "{\"name\":\"bench-" + System.nanoTime() + "\"}");
        String secret = field(token.body(), "secret");
        if (!token.ok() || secret == null) {
            throw new IOException("could not get an API token: " + token.status() + " " + token.body());
        }
        return new Http(base, "Bearer " + secret);
    }

    /** A client that sends no credentials (the health endpoint). */
    static Http anonymous(String base) {
        return new Http(base, null);
    }

    Response get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    Response post(String path, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private Response send(HttpRequest.Builder request) throws IOException, InterruptedException {
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        long began = System.nanoTime();
        HttpResponse<String> response =
                client.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body(), System.nanoTime() - began);
    }

    /** The first string value of {@code field} in a JSON body, or null. */
    static String field(String body, String field) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(field) + "\"\\s*:\\s*\"([^\"]*)\"")
                .matcher(body);
        return m.find() ? m.group(1) : null;
    }
}
