package dev.almanac.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A plain HTTP/1.1 client on loopback, timing each request from send to the last byte of the body. Each thread keeps
 * one connection of its own, open across requests (keep-alive), and reads the answer with blocking I/O on that thread:
 * the load generator shares the machine with the node and PostgreSQL, so it should cost as little CPU as it can (the
 * JDK's {@code HttpClient}, with its selector thread and asynchronous stages behind every blocking call, took about
 * half a millisecond of CPU per request, a quarter of what the node took to answer it).
 */
final class Http {

    record Response(int status, String body, long nanos) {
        double millis() {
            return nanos / 1e6;
        }

        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private static final int TIMEOUT_MILLIS = 60_000;

    private final String host;
    private final int port;
    private final String pathPrefix;
    private final String authorization;
    private final ThreadLocal<Connection> connection = new ThreadLocal<>();

    private Http(String base, String authorization) {
        URI uri = URI.create(base);
        this.host = uri.getHost();
        this.port = uri.getPort();
        this.pathPrefix = uri.getRawPath() == null ? "" : uri.getRawPath();
        this.authorization = authorization;
    }

    /**
     * A client of the API at {@code base} (…/api/admin/scheduler) acting as {@code user}: it logs in once with HTTP
     * Basic to create an API token, then sends the token, so no measured request pays for a password check.
     */
    static Http loggedIn(String base, String user, String password) throws IOException {
        String basic = "Basic "
                + java.util.Base64.getEncoder()
                        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
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

    Response get(String path) throws IOException {
        return send("GET", path, null);
    }

    Response post(String path, String json) throws IOException {
        return send("POST", path, json.getBytes(StandardCharsets.UTF_8));
    }

    private Response send(String method, String path, byte[] body) throws IOException {
        StringBuilder head = new StringBuilder(256)
                .append(method)
                .append(' ')
                .append(pathPrefix)
                .append(path)
                .append(" HTTP/1.1\r\nHost: ")
                .append(host)
                .append(':')
                .append(port)
                .append("\r\n");
        if (authorization != null) {
            head.append("Authorization: ").append(authorization).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Type: application/json\r\nContent-Length: ")
                    .append(body.length)
                    .append("\r\n");
        }
        byte[] request = head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        long began = System.nanoTime();
        Connection open = connection.get();
        if (open != null) {
            try {
                return kept(open, open.exchange(request, body, began));
            } catch (IOException e) {
                // the server may close a kept connection between two requests; a new one gets the request once more
                open.close();
                connection.remove();
            }
        }
        Connection fresh = new Connection(host, port);
        connection.set(fresh);
        try {
            return kept(fresh, fresh.exchange(request, body, began));
        } catch (IOException e) {
            fresh.close();
            connection.remove();
            throw e;
        }
    }

    /** The response; its connection is let go when the server closed it (Tomcat does every 100 requests). */
    private Response kept(Connection used, Response response) {
        if (used.closed()) {
            connection.remove();
        }
        return response;
    }

    /** One kept connection, used by one thread at a time. */
    private static final class Connection {

        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;

        Connection(String host, int port) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            socket.connect(new InetSocketAddress(host, port), 5_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        }

        Response exchange(byte[] head, byte[] body, long began) throws IOException {
            out.write(head);
            if (body != null) {
                out.write(body);
            }
            out.flush();
            String statusLine = line();
            int status = Integer.parseInt(statusLine.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            boolean close = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                int colon = header.indexOf(':');
                String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = header.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" ->
                        chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    case "connection" -> close = value.equalsIgnoreCase("close");
                    default -> {}
                }
            }
            ByteArrayOutputStream content = new ByteArrayOutputStream(length > 0 ? (int) length : 1024);
            if (chunked) {
                for (long size = Long.parseLong(chunkSize(line()), 16);
                        size > 0;
                        size = Long.parseLong(chunkSize(line()), 16)) {
                    copy(size, content);
                    line();
                }
                while (!line().isEmpty()) {
                    // trailers
                }
            } else if (length >= 0) {
                copy(length, content);
            } else {
                in.transferTo(content);
                close = true;
            }
            long nanos = System.nanoTime() - began;
            if (close) {
                close();
            }
            return new Response(status, content.toString(StandardCharsets.UTF_8), nanos);
        }

        private static String chunkSize(String line) {
            int extension = line.indexOf(';');
            return (extension < 0 ? line : line.substring(0, extension)).trim();
        }

        private void copy(long length, ByteArrayOutputStream to) throws IOException {
            byte[] buffer = new byte[8192];
            long left = length;
            while (left > 0) {
                int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (read < 0) {
                    throw new EOFException("connection closed with " + left + " bytes of the body unread");
                }
                to.write(buffer, 0, read);
                left -= read;
            }
        }

        /** A header line without its CRLF. */
        private String line() throws IOException {
            StringBuilder line = new StringBuilder(64);
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new EOFException("connection closed in the middle of a response's head");
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }

        boolean closed() {
            return socket.isClosed();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing: nothing left to do with it
            }
        }
    }

    /** The first string value of {@code field} in a JSON body, or null. */
    static String field(String body, String field) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(field) + "\"\\s*:\\s*\"([^\"]*)\"")
                .matcher(body);
        return m.find() ? m.group(1) : null;
    }
}
