package org.sipbastion.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * A bare UDP socket on 127.0.0.1 that sends raw SIP bytes and reads whatever comes back. Deliberately
 * not a SIP stack: tests use it to send malformed messages exactly as written, and to probe peers.
 */
public final class SipUdp implements AutoCloseable {

    private final DatagramSocket socket;

    public SipUdp() {
        try {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(FreePorts.LOOPBACK), 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int localPort() {
        return socket.getLocalPort();
    }

    public void send(byte[] message, String host, int port) {
        try {
            socket.send(new DatagramPacket(message, message.length, InetAddress.getByName(host), port));
        } catch (IOException e) {
            throw new UncheckedIOException("send to " + host + ":" + port, e);
        }
    }

    /** The next datagram received within {@code timeout}, decoded as ISO-8859-1 (byte for byte). */
    public Optional<String> receive(Duration timeout) {
        byte[] buffer = new byte[65535];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try {
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            socket.receive(packet);
            return Optional.of(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.ISO_8859_1));
        } catch (SocketTimeoutException e) {
            return Optional.empty();
        } catch (IOException e) {
            // e.g. ICMP port unreachable reported on the socket: nothing was received.
            return Optional.empty();
        }
    }

    /**
     * An OPTIONS request to {@code host:port} (no user part: addressed to the server itself) whose
     * Via carries this socket's port and {@code rport}, so any answer comes back here.
     */
    public byte[] options(String host, int port, String callId) {
        String branch = "z9hG4bK-" + UUID.randomUUID();
        String msg = "OPTIONS sip:" + host + ":" + port + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + FreePorts.LOOPBACK + ":" + localPort() + ";branch=" + branch + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:testkit@" + FreePorts.LOOPBACK + ">;tag=" + Long.toHexString(System.nanoTime()) + "\r\n"
                + "To: <sip:" + host + ":" + port + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n"
                + "\r\n";
        return msg.getBytes(StandardCharsets.US_ASCII);
    }

    /** Sends one OPTIONS and returns the status line of a response carrying its Call-ID, if one comes in time. */
    public Optional<String> ping(String host, int port, Duration timeout) {
        String callId = "testkit-ping-" + UUID.randomUUID();
        send(options(host, port, callId), host, port);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            Optional<String> got = receive(Duration.ofNanos(left));
            if (got.isEmpty()) {
                return Optional.empty();
            }
            String reply = got.get();
            if (reply.startsWith("SIP/2.0 ") && reply.contains(callId)) {
                return Optional.of(reply.substring(0, Math.max(0, reply.indexOf("\r\n"))));
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
