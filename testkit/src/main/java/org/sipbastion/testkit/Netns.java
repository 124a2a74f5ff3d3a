package org.sipbastion.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces made by a test (ip netns), linked by veth pairs, removed on close: the only
 * place besides loopback where tests may put traffic. Needs root and iproute2; {@link #create}
 * skips the test loudly without them, and fails it on CI, like a missing tool.
 *
 * <p>Names carry the test JVM's pid, so concurrent or crashed runs do not collide; a run that left
 * namespaces behind (killed -9) leaves them to {@code ip netns del}, and the next run uses new names.
 */
public final class Netns implements AutoCloseable {
    private final String prefix;
    private final List<String> names = new ArrayList<>();

    private Netns(String prefix) {
        this.prefix = prefix;
    }

    /** A set of namespaces named {@code tag-NAME-PID}; skips (fails on CI) without root or ip. */
    public static Netns create(String tag) {
        ExternalTool.require("ip");
        if (!"root".equals(System.getProperty("user.name"))) {
            ExternalTool.unavailable("network namespaces need root (ip netns)");
        }
        return new Netns(tag + "-");
    }

    /** Adds namespace {@code name} with its loopback up; returns its full name. */
    public String add(String name) {
        String ns = prefix + name + "-" + ProcessHandle.current().pid();
        run("ip", "netns", "add", ns);
        names.add(ns);
        run("ip", "-n", ns, "link", "set", "lo", "up");
        return ns;
    }

    /**
     * Links namespaces {@code a} and {@code b} with a veth pair: interface {@code ifA} with address
     * {@code cidrA} (e.g. 10.77.1.1/24) in a, {@code ifB} with {@code cidrB} in b, both up.
     */
    public void link(String a, String ifA, String cidrA, String b, String ifB, String cidrB) {
        run("ip", "link", "add", ifA, "netns", a, "type", "veth", "peer", "name", ifB, "netns", b);
        run("ip", "-n", a, "addr", "add", cidrA, "dev", ifA);
        run("ip", "-n", b, "addr", "add", cidrB, "dev", ifB);
        run("ip", "-n", a, "link", "set", ifA, "up");
        run("ip", "-n", b, "link", "set", ifB, "up");
    }

    /** Default route of {@code ns} via {@code gateway}. */
    public void defaultRoute(String ns, String gateway) {
        run("ip", "-n", ns, "route", "add", "default", "via", gateway);
    }

    /** Lets {@code ns} route between its links (IPv4 forwarding). */
    public void forwarding(String ns) {
        run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
    }

    /** The command prefix that runs a program inside {@code ns}. */
    public static List<String> exec(String ns) {
        return List.of("ip", "netns", "exec", ns);
    }

    /** True when something in {@code ns} has UDP port {@code port} bound on {@code address}. */
    public static boolean udpBound(String ns, String address, int port) {
        String out = output("ip", "netns", "exec", ns, "ss", "-H", "-u", "-l", "-n");
        // A dual-stack socket (the JDK's, Netty's) bound to an IPv4 address shows as [::ffff:a.b.c.d].
        return out.contains(address + ":" + port + " ") || out.contains("[::ffff:" + address + "]:" + port + " ");
    }

    @Override
    public void close() {
        for (int i = names.size() - 1; i >= 0; i--) {
            try {
                // Deleting a namespace removes its end of every veth pair, and so the pair.
                run("ip", "netns", "del", names.get(i));
            } catch (RuntimeException | AssertionError e) {
                System.err.println("*** testkit: could not delete namespace " + names.get(i) + ": " + e.getMessage());
            }
        }
        names.clear();
    }

    private static void run(String... cmd) {
        String out = output(cmd);
        if (out.startsWith("\u0000FAILED")) {
            throw new AssertionError(String.join(" ", cmd) + " failed: " + out.substring(7));
        }
    }

    /** Standard output and error of a short command; failures start with a NUL marker. */
    private static String output(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] bytes = p.getInputStream().readAllBytes();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "\u0000FAILED(timed out)";
            }
            String text = new String(bytes, StandardCharsets.UTF_8);
            return p.exitValue() == 0 ? text : "\u0000FAILED(exit " + p.exitValue() + ") " + text;
        } catch (IOException e) {
            return "\u0000FAILED " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "\u0000FAILED(interrupted)";
        }
    }
}
