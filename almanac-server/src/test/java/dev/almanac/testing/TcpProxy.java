package dev.almanac.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP forwarder on 127.0.0.1 that a test can cut: {@link #blackhole()} stops moving bytes on every connection, open or
 * new, without closing anything, as a dead network does (the peers notice only by their own timeouts);
 * {@link #restore()} lets bytes through again on connections made from then on.
 */
public final class TcpProxy implements AutoCloseable {

    private final ServerSocket server;
    private final String targetHost;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean blackholed;
    private volatile boolean repliesHeld;
    private volatile long generation;

    public TcpProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread acceptor = new Thread(this::accept, "tcp-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy to the database of a JDBC URL ({@code jdbc:postgresql://host:port/…}). */
    public static TcpProxy toDatabase(String jdbcUrl) throws IOException {
        URI database = URI.create(jdbcUrl.substring("jdbc:".length()));
        return new TcpProxy(database.getHost(), database.getPort());
    }

    public int port() {
        return server.getLocalPort();
    }

    /** A JDBC URL like {@code url} that goes through this proxy. */
    public String jdbcUrl(String url) {
        return url.replaceFirst("//[^/]+/", "//127.0.0.1:" + port() + "/");
    }

    /** From now on, no byte passes, and nothing is closed: the connections hang. */
    public void blackhole() {
        blackholed = true;
    }

    /**
     * From now on, the target's bytes stop on their way back, and nothing is closed: requests still arrive, and a
     * target that answers at length fills the buffers between and then waits to send, as on a path that lost its way
     * back.
     */
    public void holdReplies() {
        repliesHeld = true;
    }

    /** Drops the connections that were cut and lets new ones through again. */
    public void restore() {
        generation++;
        blackholed = false;
        repliesHeld = false;
        for (Socket socket : sockets) {
            closeQuietly(socket);
        }
        sockets.clear();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (blackholed) {
                    // accepted, never answered: a connection attempt hangs as on a dead network
                    sockets.add(client);
                    continue;
                }
                Socket upstream = new Socket(targetHost, targetPort);
                sockets.add(client);
                sockets.add(upstream);
                long current = generation;
                pump(client, upstream, current, false);
                pump(upstream, client, current, true);
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to, long connectedIn, boolean reply) {
        Thread thread = new Thread(
                () -> {
                    byte[] buffer = new byte[16384];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            while (blackholed || (reply && repliesHeld) || generation != connectedIn) {
                                if (generation != connectedIn) {
                                    return;
                                }
                                Thread.sleep(20);
                            }
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    } catch (IOException | InterruptedException e) {
                        // one side went away; the other is closed below
                    } finally {
                        if (!blackholed && !repliesHeld) {
                            closeQuietly(from);
                            closeQuietly(to);
                        }
                    }
                },
                "tcp-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        closeQuietly(server);
        blackholed = false;
        generation++;
        sockets.forEach(TcpProxy::closeQuietly);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing what may already be closed
        }
    }
}
