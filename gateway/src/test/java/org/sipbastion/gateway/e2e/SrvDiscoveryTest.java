package org.sipbastion.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.sipbastion.crypto.mac.MacKeyRing;
import org.sipbastion.gateway.Gateway;
import org.sipbastion.gateway.GatewayConfig;
import org.sipbastion.gateway.cli.MainAccess;
import org.sipbastion.gateway.discovery.ProxyDiscovery;
import org.sipbastion.parser.Limits;
import org.sipbastion.testkit.Await;
import org.sipbastion.testkit.DnsmasqProcess;
import org.sipbastion.testkit.ExternalTool;
import org.sipbastion.testkit.FreePorts;
import org.sipbastion.testkit.KamailioProcess;
import org.sipbastion.testkit.RunDirs;
import org.sipbastion.testkit.SippProcess;
import org.sipbastion.testkit.SippResult;
import org.sipbastion.tier2.balance.Algorithm;

/**
 * A gateway given only an SRV domain finds its proxies on a real DNS server (dnsmasq on loopback)
 * and follows its changes while calls run: SIPp UAC -> SIP Bastion -> three Kamailio proxies ->
 * SIPp UAS. The record set is seed 003's shape: two proxies of priority 10 weighted 60/40 and a
 * priority-20 backup that takes nothing while they are up. Then DNS drops one of the two and
 * promotes the backup: calls up on the dropped proxy finish there (their BYE crosses it), and new
 * calls go only to the proxies DNS now lists.
 */
class SrvDiscoveryTest {
    private static final String DOMAIN = "bastion.test";
    private static final String SRV = "_sip._udp." + DOMAIN;
    /** Calls up across the change; with weights 60/40, none of them on k2 has a chance of 0.6^16 (3 in 10,000). */
    private static final int LONG_CALLS = 16;

    private static DnsmasqProcess.Records records(KamailioProcess first, int w1, KamailioProcess second, int p2, int w2,
                                                  KamailioProcess third, int p3, int w3) {
        DnsmasqProcess.Records r = new DnsmasqProcess.Records().ttl(1)
            .srv(SRV, "k1." + DOMAIN, first.port(), 10, w1)
            .host("k1." + DOMAIN, first.host())
            .host("k2." + DOMAIN, second.host())
            .host("k3." + DOMAIN, third.host());
        if (p2 > 0) {
            r.srv(SRV, "k2." + DOMAIN, second.port(), p2, w2);
        }
        if (p3 > 0) {
            r.srv(SRV, "k3." + DOMAIN, third.port(), p3, w3);
        }
        return r;
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void proxiesFromSrvFollowDnsWhileCallsRun() throws Exception {
        ExternalTool.require("sipp");
        ExternalTool.require("kamailio");
        Path dir = RunDirs.create("srv-discovery");
        try (SippProcess uas = SippProcess.builtIn("uas").name("uas").runDir(dir).calls(1000)
                .timeout(Duration.ofSeconds(120)).start();
            KamailioProcess k1 = KamailioProcess.proxy("k1").runDir(dir).nextHop(uas.host(), uas.port()).start();
            KamailioProcess k2 = KamailioProcess.proxy("k2").runDir(dir).nextHop(uas.host(), uas.port()).start();
            KamailioProcess k3 = KamailioProcess.proxy("k3").runDir(dir).nextHop(uas.host(), uas.port()).start();
            DnsmasqProcess dns = DnsmasqProcess.start("srv-discovery-dns", records(k1, 60, k2, 10, 40, k3, 20, 0))) {

            GatewayConfig.Discovery settings = new GatewayConfig.Discovery(DOMAIN, "_sip._udp",
                new InetSocketAddress(dns.host(), dns.port()), 1, 8);
            InetSocketAddress listen = new InetSocketAddress("127.0.0.1", 0);
            ProxyDiscovery.Found found = ProxyDiscovery.lookUp(settings, ProxyDiscovery.sendableFrom(listen));
            assertEquals(3, found.proxies().size(), found.toString());
            GatewayConfig config = new GatewayConfig(listen, null, found.addresses(), MacKeyRing.random(), Limits.DEFAULT);
            config = config.withBalancing(new GatewayConfig.Balancing(Algorithm.SRV_WEIGHTED, found.specs(),
                config.balancing().maxDialogs(), config.balancing().dialogTtlSeconds(),
                config.balancing().deadProxyDialogs(), 0, settings, null, null));

            try (Gateway gateway = Gateway.start(config)) {
                int port = gateway.localAddress().getPort();
                // 1. Priority 10 only, both of its proxies; the backup takes nothing.
                SippResult first = SippProcess.builtIn("uac").name("uac-1").runDir(dir).remote("127.0.0.1", port)
                    .calls(24).rate(5).timeout(Duration.ofSeconds(40)).run();
                assertTrue(first.allSucceeded(), first.describe() + "\n" + gateway.counters().summary());
                Map<String, Map<String, Set<String>>> calls = KamailioProcess.requestsByCall(k1, k2, k3);
                Map<String, Integer> split = split(calls);
                System.out.println("SRV 60/40 + backup, 24 calls: " + split);
                assertTrue(split.getOrDefault("k1", 0) > 0 && split.getOrDefault("k2", 0) > 0, split.toString());
                assertEquals(0, split.getOrDefault("k3", 0), "the priority-20 backup is not used while priority 10 is up");

                // 2. Long calls up, spread over k1 and k2; then DNS drops k2 and promotes k3.
                SippProcess longCalls = SippProcess.builtIn("uac").name("uac-long").runDir(dir).remote("127.0.0.1", port)
                    .calls(LONG_CALLS).rate(4).args("-d", "8000").timeout(Duration.ofSeconds(40)).start();
                Await.until(Duration.ofSeconds(10), () -> gateway.counters().requestsForwarded.sum() >= 3L * 24 + 2L * LONG_CALLS,
                    "the long calls' INVITEs and ACKs forwarded");
                long removedBefore = gateway.counters().proxiesRemoved.sum();
                dns.restart(records(k1, 60, k2, 0, 0, k3, 10, 40));
                Await.until(Duration.ofSeconds(10), () -> gateway.counters().proxiesRemoved.sum() > removedBefore,
                    "the gateway sees k2 gone from DNS: " + gateway.counters().summary());
                String k2Name = k2.host() + ":" + k2.port() + " ";
                List<String> summaries = gateway.proxySummaries();
                assertTrue(summaries.stream().anyMatch(l -> l.startsWith(k2Name + "state=draining")), summaries.toString());
                assertTrue(summaries.stream().anyMatch(l -> l.startsWith(k3.host() + ":" + k3.port()
                    + " state=up priority=10 weight=40")), "the backup promoted: " + summaries);
                SippResult longResult = longCalls.awaitResult();
                assertTrue(longResult.allSucceeded(), "calls up across the change complete: " + longResult.describe());

                // Every call that k2 took before the change ended on k2: INVITE, ACK and BYE crossed it.
                Map<String, Map<String, Set<String>>> after = KamailioProcess.requestsByCall(k1, k2, k3);
                int onK2 = 0;
                for (var call : after.entrySet()) {
                    assertEquals(1, call.getValue().size(), "Call-ID " + call.getKey() + " crossed " + call.getValue());
                    if (call.getValue().containsKey("k2")) {
                        onK2++;
                        assertEquals(Set.of("INVITE", "ACK", "BYE"), call.getValue().get("k2"), call.getKey());
                    }
                }
                assertTrue(onK2 > split.get("k2"), "some long calls were on k2 when it was removed");

                // 3. New calls only to what DNS lists now: k1 and k3 (promoted to priority 10).
                Map<String, Integer> before = split(after);
                SippResult third = SippProcess.builtIn("uac").name("uac-3").runDir(dir).remote("127.0.0.1", port)
                    .calls(24).rate(5).timeout(Duration.ofSeconds(40)).run();
                assertTrue(third.allSucceeded(), third.describe());
                Map<String, Integer> now = split(KamailioProcess.requestsByCall(k1, k2, k3));
                Map<String, Integer> delta = new HashMap<>();
                now.forEach((k, v) -> delta.put(k, v - before.getOrDefault(k, 0)));
                System.out.println("after k2 left DNS and k3 was promoted, 24 calls: " + delta);
                assertEquals(0, delta.getOrDefault("k2", 0), "no new call to the removed proxy");
                assertTrue(delta.getOrDefault("k1", 0) > 0 && delta.getOrDefault("k3", 0) > 0, delta.toString());
                assertEquals(0, gateway.counters().dropped.total() + gateway.counters().internalErrors.sum(),
                    gateway.counters().summary());
            }
        }
    }

    /** The CLI: --srv alone starts the gateway from DNS; a domain DNS knows nothing of fails the start, exit 1. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void theCliRefusesToStartWithoutProxiesInDns() {
        try (DnsmasqProcess dns = DnsmasqProcess.start("srv-cli-dns", new DnsmasqProcess.Records())) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int exit = MainAccess.run(new String[] {"run", "--srv", "nowhere.test", "--dns", dns.address(),
                "--listen", "127.0.0.1:" + FreePorts.udp()}, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            String said = err.toString(StandardCharsets.UTF_8);
            assertEquals(1, exit, said);
            assertTrue(said.contains("cannot find the proxies of nowhere.test in DNS: no SRV record for _sip._udp.nowhere.test."),
                said);
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = MainAccess.run(new String[] {"run", "--srv", "x.test", "--proxy", "127.0.0.1:5071"},
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, exit);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("exclude each other"), err.toString(StandardCharsets.UTF_8));
    }



    /** Calls per proxy tag, by where each call's INVITE went. */
    private static Map<String, Integer> split(Map<String, Map<String, Set<String>>> calls) {
        Map<String, Integer> out = new TreeMap<>();
        for (var call : calls.values()) {
            for (var e : call.entrySet()) {
                if (e.getValue().contains("INVITE")) {
                    out.merge(e.getKey(), 1, Integer::sum);
                }
            }
        }
        return out;
    }
}
