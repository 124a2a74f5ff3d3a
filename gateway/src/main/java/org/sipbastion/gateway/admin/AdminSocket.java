package org.sipbastion.gateway.admin;

import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.BiFunction;

/**
 * The running gateway's local administration socket: a Unix domain socket (mode 0600, so only the
 * gateway's own user and root reach it) taking one command line per connection and answering with
 * text lines before closing it. {@code bastion proxies} is its client. The command runs through
 * {@code commands}, given the line and the caller's user name (read from the socket's peer
 * credentials, for the audit line each change leaves).
 *
 * <p>One connection at a time on a thread of its own; a line longer than {@link #MAX_LINE} bytes,
 * or one not complete within {@link #TIMEOUT_MILLIS}, is answered with an error and the connection
 * closed, so a stuck client holds nothing for long.
 */
public final class AdminSocket implements AutoCloseable {
    static final int MAX_LINE = 1024;
    static final long TIMEOUT_MILLIS = 5_000;

    private final Path path;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final BiFunction<String, String, String> commands;
    private final PrintStream log;
    private final Thread thread;
    private volatile boolean closed;

    private AdminSocket(Path path, ServerSocketChannel server, Selector selector, BiFunction<String, String, String> commands,
                        PrintStream log) {
        this.path = path;
        this.server = server;
        this.selector = selector;
        this.commands = commands;
        this.log = log;
        this.thread = new Thread(this::serve, "bastion-admin");
        this.thread.setDaemon(true);
    }

    /**
     * Listens at {@code path}. A socket file left by a gateway that died is replaced; one another
     * gateway still answers on is not (the start fails, saying so).
     */
    public static AdminSocket open(Path path, BiFunction<String, String, String> commands, PrintStream log) throws IOException {
        if (Files.exists(path)) {
            if (answers(path)) {
                throw new IOException(path + " is in use by a running gateway: give each gateway its own (--admin-socket)");
            }
            Files.delete(path);
        }
        Files.createDirectories(path.toAbsolutePath().getParent());
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path));
            try {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // a file system without permissions: the directory's protect it
            }
            Selector selector = Selector.open();
            AdminSocket s = new AdminSocket(path, server, selector, commands, log);
            s.thread.start();
            return s;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private static boolean answers(Path path) {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public Path path() {
        return path;
    }

    private void serve() {
        while (!closed) {
            try (SocketChannel client = server.accept()) {
                handle(client);
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    log.println("bastion: admin socket: " + e);
                }
            }
        }
    }

    private void handle(SocketChannel client) throws IOException {
        String user = user(client);
        String[] line = new String[1];
        String refusal = readLine(client, line);
        // The answer is written in blocking mode, which needs the channel off the selector.
        client.configureBlocking(true);
        if (refusal != null) {
            reply(client, refusal);
            discard(client);
            return;
        }
        String answer;
        try {
            answer = commands.apply(line[0], user);
        } catch (RuntimeException e) {
            answer = "error: " + e.getMessage() + "\n";
        }
        reply(client, answer);
    }

    /** Reads one command line into {@code line[0]}; returns the error to answer instead, or null. */
    private String readLine(SocketChannel client, String[] line) throws IOException {
        client.configureBlocking(false);
        ByteBuffer in = ByteBuffer.allocate(MAX_LINE + 1);
        long deadline = System.nanoTime() + TIMEOUT_MILLIS * 1_000_000;
        SelectionKey key = client.register(selector, SelectionKey.OP_READ);
        try {
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return "error: no complete command line within " + TIMEOUT_MILLIS / 1000 + " s\n";
                }
                selector.select(left);
                selector.selectedKeys().clear();
                int n = client.read(in);
                int nl = indexOf(in, (byte) '\n');
                if (nl >= 0) {
                    line[0] = new String(in.array(), 0, nl, StandardCharsets.UTF_8).trim();
                    return null;
                }
                if (in.position() > MAX_LINE) {
                    return "error: a command line is at most " + MAX_LINE + " bytes\n";
                }
                if (n < 0) {
                    line[0] = new String(in.array(), 0, in.position(), StandardCharsets.UTF_8).trim();
                    return null;
                }
            }
        } finally {
            key.cancel();
            selector.selectNow();
        }
    }

    /**
     * After refusing a client that is still sending: the answer is followed by our end of the
     * stream, then what it still sends is read and dropped (at most 64 KiB, for 1 s), since closing
     * with unread bytes would reset the connection and lose the answer.
     */
    private void discard(SocketChannel client) throws IOException {
        client.shutdownOutput();
        client.configureBlocking(false);
        SelectionKey key = client.register(selector, SelectionKey.OP_READ);
        try {
            ByteBuffer sink = ByteBuffer.allocate(4096);
            long deadline = System.nanoTime() + 1_000_000_000L;
            int total = 0;
            while (total < 65_536) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return;
                }
                selector.select(left);
                selector.selectedKeys().clear();
                sink.clear();
                int n = client.read(sink);
                if (n < 0) {
                    return;
                }
                total += n;
            }
        } finally {
            key.cancel();
            selector.selectNow();
        }
    }

    private static int indexOf(ByteBuffer b, byte x) {
        for (int i = 0; i < b.position(); i++) {
            if (b.get(i) == x) {
                return i;
            }
        }
        return -1;
    }

    private static void reply(SocketChannel client, String text) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (out.hasRemaining()) {
            client.write(out);
        }
    }

    /** The connecting user's name (Linux peer credentials), or "unknown". */
    private static String user(SocketChannel client) {
        try {
            return client.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED).user().getName();
        } catch (IOException | UnsupportedOperationException e) {
            return "unknown";
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
            selector.close();
        } catch (IOException e) {
            // going away either way
        }
        try {
            thread.join(2_000);
            Files.deleteIfExists(path);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.println("bastion: could not remove " + path + ": " + e.getMessage());
        }
    }
}
