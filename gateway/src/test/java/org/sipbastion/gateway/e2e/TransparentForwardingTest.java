package org.sipbastion.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.sipbastion.testkit.ExternalTool;
import org.sipbastion.testkit.ManagedProcess;
import org.sipbastion.testkit.Netns;
import org.sipbastion.testkit.RunDirs;
import org.sipbastion.testkit.SippProcess;
import org.sipbastion.testkit.SippResult;

/**
 * Transparent forwarding (the seed's SEND) in three network namespaces: a SIPp client in one, the
 * gateway in the middle (routing between the two, as an edge box does), a SIPp server standing for
 * the proxy in the third. The gateway adds no Via and sends each request with the client's own
 * address, so the server answers the client directly: the calls complete while the gateway
 * forwards no response at all. Were the source not preserved, the server would answer the
 * gateway, which drops responses without its Via (fake_response), and no call would complete.
 */
class TransparentForwardingTest {
    private static final int CALLS = 10;
    private static final String CLIENT_IP = "10.77.1.2";
    private static final String GATEWAY_IP = "10.77.1.1";
    private static final String PROXY_IP = "10.77.2.2";
    private static final Pattern COUNTER = Pattern.compile("\\b([a-z_]+)=(\\d+)");

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void callsCompleteWithEveryResponseGoingStraightFromTheProxyToTheClient() throws Exception {
        ExternalTool.require("sipp");
        try (Netns net = Netns.create("bst")) {
            String client = net.add("c");
            String gw = net.add("g");
            String proxy = net.add("p");
            net.link(client, "bstc0", CLIENT_IP + "/24", gw, "bstg0", GATEWAY_IP + "/24");
            net.link(gw, "bstg1", "10.77.2.1/24", proxy, "bstp0", PROXY_IP + "/24");
            net.defaultRoute(client, GATEWAY_IP);
            net.defaultRoute(proxy, "10.77.2.1");
            net.forwarding(gw);
            Path dir = RunDirs.create("transparent");
            try (SippProcess uas = SippProcess.builtIn("uas").name("uas").runDir(dir).netns(proxy).local(PROXY_IP, 5060)
                    .calls(CALLS).timeout(Duration.ofSeconds(90)).start();
                 ManagedProcess gateway = ManagedProcess.start("gateway", gatewayCommand(gw), dir, Duration.ofSeconds(140))) {
                // The banner comes once the pipeline is built (the port is bound a little before).
                gateway.awaitReady("the gateway on " + GATEWAY_IP + ":5060", Duration.ofSeconds(60),
                    () -> gateway.stdoutLines().stream().anyMatch(l -> l.startsWith("SIP Bastion listening")));
                SippResult uac = SippProcess.builtIn("uac").name("uac").runDir(dir).netns(client).local(CLIENT_IP, 5062)
                    .remote(GATEWAY_IP, 5060).calls(CALLS).rate(5).timeout(Duration.ofSeconds(40)).run();
                SippResult server = uas.awaitResult();
                gateway.close();
                String stopped = gateway.stdoutLines().stream().filter(l -> l.startsWith("bastion: stopping;"))
                    .findFirst().orElseThrow(() -> new AssertionError("no final counters:\n" + gateway.tail(30)));
                String context = stopped + "\n" + String.join("\n", gateway.stderrLines());
                assertTrue(uac.allSucceeded(), "uac: " + uac.describe() + "\n" + context);
                assertEquals(CALLS, uac.successfulCalls(), uac.describe());
                assertEquals(CALLS, server.successfulCalls(), "uas: " + server.describe());
                assertEquals(0, counter(stopped, "responses_forwarded"), context);
                assertEquals(3 * CALLS, counter(stopped, "requests_forwarded"), "INVITE, ACK and BYE of each call: " + context);
                assertEquals(0, counter(stopped, "transparent_send_failures") + counter(stopped, "internal_errors"), context);
                assertTrue(stopped.contains("dropped=0 "), context);
                assertTrue(String.join("\n", gateway.stderrLines()).contains("warning: transparent forwarding"),
                    "the start-up warning: " + context);
            }
        }
    }

    private static long counter(String line, String name) {
        Matcher m = COUNTER.matcher(line);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                return Long.parseLong(m.group(2));
            }
        }
        throw new AssertionError("no counter " + name + " in " + line);
    }

    /** This test JVM's java, module flags and class path, running the CLI inside namespace {@code ns}. */
    private static List<String> gatewayCommand(String ns) {
        List<String> cmd = new ArrayList<>(Netns.exec(ns));
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.sipbastion.gateway.cli.Main", "run",
            "--listen", GATEWAY_IP + ":5060", "--proxy", PROXY_IP + ":5060", "--forwarding", "transparent",
            // The "proxy" is a SIPp server, which takes any request for a call: no OPTIONS probes.
            "--probe-interval", "0"));
        return cmd;
    }
}
