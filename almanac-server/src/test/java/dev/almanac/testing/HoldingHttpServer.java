package dev.almanac.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An HTTP server on 127.0.0.1 that holds its first call open, answering nothing, until the client closes the
 * connection, and answers every later call at once with 200. It records when each call arrived and when a held one
 * was closed, by the client, so a test can see whether two calls were ever open at the same time.
 */
public final class HoldingHttpServer implements AutoCloseable {

    /** One call: when it arrived and, for a held one, when the client closed it (0 while open). */
    public static final class Call {
        public final long arrivedNanos = System.nanoTime();
        public final boolean held;
        public volatile long closedNanos;

        Call(boolean held) {
            this.held = held;
        }

        public boolean closed() {
            return closedNanos != 0;
        }
    }

    private final ServerSocket server;
    private final List<Call> calls = new CopyOnWriteArrayList<>();

    public HoldingHttpServer() throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread acceptor = new Thread(this::accept, "holding-http-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String url(String path) {
        return "http://localhost:" + server.getLocalPort() + path;
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread handler = new Thread(() -> handle(socket), "holding-http-call");
                handler.setDaemon(true);
                handler.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(Socket socket) {
        try (socket;
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream()) {
            readHead(in);
            Call call;
            synchronized (calls) {
                call = new Call(calls.isEmpty());
                calls.add(call);
            }
            if (call.held) {
                try {
                    while (in.read() >= 0) {
                        // the body, if any, then nothing until the client gives up
                    }
                } catch (IOException reset) {
                    // a reset is a close too
                }
                call.closedNanos = System.nanoTime();
                return;
            }
            out.write(
                    ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
                            .getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            // the client went away
        }
    }

    private static void readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            byte[] bytes = head.toByteArray();
            int n = bytes.length;
            if (n >= 4
                    && bytes[n - 4] == '\r'
                    && bytes[n - 3] == '\n'
                    && bytes[n - 2] == '\r'
                    && bytes[n - 1] == '\n') {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
