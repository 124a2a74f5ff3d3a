package org.sipbastion.gateway.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The admin socket on its own: what it answers, and the clients it will not wait for. */
class AdminSocketTest {
    @TempDir
    Path dir;

    private static String ask(Path socket, String send) throws IOException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            c.write(ByteBuffer.wrap(send.getBytes(StandardCharsets.UTF_8)));
            ByteBuffer in = ByteBuffer.allocate(4096);
            while (c.read(in) >= 0 && in.hasRemaining()) {
                // until closed
            }
            return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void answersAndDoesNotWaitForeverOrWithoutBound() throws Exception {
        Path path = dir.resolve("admin.sock");
        try (AdminSocket s = AdminSocket.open(path, (line, user) -> "you said " + line + " as " + user + "\n", System.err)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
            assertEquals("you said proxies as " + System.getProperty("user.name") + "\n", ask(path, "proxies\n"));
            assertTrue(ask(path, "x".repeat(5000)).startsWith("error: a command line is at most 1024 bytes"));
            long t0 = System.nanoTime();
            try (SocketChannel silent = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                silent.connect(UnixDomainSocketAddress.of(path));
                ByteBuffer in = ByteBuffer.allocate(256);
                while (silent.read(in) >= 0) {
                    // the gateway gives up on us
                }
                String said = new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
                assertTrue(said.startsWith("error: no complete command line within 5 s"), said);
            }
            assertTrue(System.nanoTime() - t0 < 8_000_000_000L);
            assertEquals("you said after as " + System.getProperty("user.name") + "\n", ask(path, "after\n"),
                "still serving after a stuck client");

            IOException inUse = assertThrows(IOException.class, () -> AdminSocket.open(path, (l, u) -> "", System.err));
            assertTrue(inUse.getMessage().contains("in use by a running gateway"), inUse.getMessage());
        }
        assertTrue(!Files.exists(path), "removed on close");
        Files.writeString(path, "left by a gateway that died");
        try (AdminSocket again = AdminSocket.open(path, (l, u) -> "ok\n", System.err)) {
            assertEquals("ok\n", ask(path, "x\n"), "a stale file is replaced");
        }
    }
}
