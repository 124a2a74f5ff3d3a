package org.sipbastion.testkit;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks ports on 127.0.0.1 that are free right now, for peers a test is about to start.
 *
 * <p>Candidates come from 20000-29999, below Linux's ephemeral range (32768-60999): a port the
 * kernel hands out as "any free port" to some client socket a moment later would otherwise collide
 * with a peer that has not bound yet. Ports already handed out by this JVM are never handed out
 * again, so two peers of one test cannot get the same port.
 */
public final class FreePorts {

    public static final String LOOPBACK = "127.0.0.1";

    private static final int LOW = 20000;
    private static final int HIGH = 30000;
    private static final int MAX_ATTEMPTS = 500;
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private FreePorts() {
    }

    /** A port free for UDP on 127.0.0.1. */
    public static int udp() {
        return pick(true, false);
    }

    /** A port free for TCP on 127.0.0.1. */
    public static int tcp() {
        return pick(false, true);
    }

    /** A port free for both UDP and TCP on 127.0.0.1 (SIP over either transport on one port). */
    public static int udpAndTcp() {
        return pick(true, true);
    }

    /** True when something on this machine holds {@code port} for UDP on 127.0.0.1. */
    public static boolean isUdpBound(int port) {
        return !canBindUdp(port);
    }

    private static synchronized int pick(boolean udp, boolean tcp) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < MAX_ATTEMPTS; i++) {
            int port = random.nextInt(LOW, HIGH);
            if (HANDED_OUT.contains(port)) {
                continue;
            }
            if ((!udp || canBindUdp(port)) && (!tcp || canBindTcp(port))) {
                HANDED_OUT.add(port);
                return port;
            }
        }
        throw new IllegalStateException("no free port on " + LOOPBACK + " in " + LOW + "-" + (HIGH - 1)
                + " after " + MAX_ATTEMPTS + " attempts");
    }

    private static boolean canBindUdp(int port) {
        try (DatagramSocket socket = new DatagramSocket(null)) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean canBindTcp(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            // No SO_REUSEADDR: a port still in TIME_WAIT is not "free" for a server that will not set it.
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
