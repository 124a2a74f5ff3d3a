package org.sipbastion.tier2.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sipbastion.testkit.DnsmasqProcess;
import org.sipbastion.testkit.FreePorts;
import org.sipbastion.tier2.discovery.SrvResolver.Discovery;
import org.sipbastion.tier2.discovery.SrvResolver.DiscoveredProxy;
import org.sipbastion.tier2.discovery.SrvResolver.DiscoveryException;
import org.sipbastion.tier2.discovery.SrvResolver.SrvTarget;

/** {@link SrvResolver} against a real DNS server (dnsmasq on loopback) holding the seed's record set and a few faults. */
class SrvResolverTest {
    private static DnsmasqProcess dns;
    private static SrvResolver resolver;

    @BeforeAll
    static void startDns() {
        dns = DnsmasqProcess.start("srv-resolver", seedRecords()
            // No SRV record: the domain's own address, port 5060 (RFC 3263 4.2).
            .host("plain.test", "127.0.0.30")
            // A target with IPv4 and IPv6, and one with no address at all.
            .srv("_sip._tcp.mixed.test", "dual.mixed.test", 5070, 5, 0)
            .srv("_sip._tcp.mixed.test", "ghost.mixed.test", 5071, 5, 0)
            .host("dual.mixed.test", "127.0.0.40", "::1")
            .ttl(42));
        resolver = new SrvResolver(new InetSocketAddress(dns.host(), dns.port()), Duration.ofSeconds(2));
    }

    /**
     * Seed 003's example (section 3): four targets at priority 10 weighted 60/20/10/10 (small2 on
     * two ports), and a backup at priority 20 with weight 0.
     */
    static DnsmasqProcess.Records seedRecords() {
        return new DnsmasqProcess.Records()
            .srv("_sip._udp.test.com", "big.test.com", 5060, 10, 60)
            .srv("_sip._udp.test.com", "medium.test.com", 5060, 10, 20)
            .srv("_sip._udp.test.com", "small2.test.com", 5060, 10, 10)
            .srv("_sip._udp.test.com", "small2.test.com", 5066, 10, 10)
            .srv("_sip._udp.test.com", "backup.test.com", 5060, 20, 0)
            .host("big.test.com", "127.0.0.11")
            .host("medium.test.com", "127.0.0.12")
            .host("small2.test.com", "127.0.0.13")
            .host("backup.test.com", "127.0.0.14");
    }

    @AfterAll
    static void stopDns() {
        if (dns != null) {
            dns.close();
        }
    }

    @Test
    void theSeedsRecordSetByPriorityThenWeight() throws Exception {
        Discovery d = resolver.resolve("test.com", "_sip._udp");
        assertTrue(d.fromSrv());
        assertEquals(List.of(
            new SrvTarget("big.test.com", 5060, 10, 60, List.of(InetAddress.getByName("127.0.0.11"))),
            new SrvTarget("medium.test.com", 5060, 10, 20, List.of(InetAddress.getByName("127.0.0.12"))),
            new SrvTarget("small2.test.com", 5060, 10, 10, List.of(InetAddress.getByName("127.0.0.13"))),
            new SrvTarget("small2.test.com", 5066, 10, 10, List.of(InetAddress.getByName("127.0.0.13"))),
            new SrvTarget("backup.test.com", 5060, 20, 0, List.of(InetAddress.getByName("127.0.0.14")))),
            sortedSmall2(d.targets()));
        assertEquals(42, d.ttlSeconds(), "the smallest TTL of the answers");
        assertTrue(d.problems().isEmpty(), d.problems().toString());

        List<String> left = new ArrayList<>();
        List<DiscoveredProxy> proxies = d.proxies(a -> true, left);
        assertEquals(5, proxies.size(), "small2 on two ports is two proxies");
        assertEquals(new DiscoveredProxy(new InetSocketAddress("127.0.0.14", 5060), "backup.test.com", 20, 1),
            proxies.get(4), "weight 0 shares equally: 1");
        assertTrue(left.isEmpty());
    }

    /** The two small2 records tie on priority and weight: DNS may give them in either order. */
    private static List<SrvTarget> sortedSmall2(List<SrvTarget> targets) {
        List<SrvTarget> out = new ArrayList<>(targets);
        if (out.get(2).port() > out.get(3).port()) {
            SrvTarget t = out.get(2);
            out.set(2, out.get(3));
            out.set(3, t);
        }
        return out;
    }

    @Test
    void withoutSrvTheDomainItselfOnPort5060() throws Exception {
        Discovery d = resolver.resolve("plain.test", "_sip._udp");
        assertFalse(d.fromSrv());
        assertEquals(List.of(new SrvTarget("plain.test", 5060, 0, 1, List.of(InetAddress.getByName("127.0.0.30")))),
            d.targets());
    }

    @Test
    void bothFamiliesAndATargetWithoutAddress() throws Exception {
        Discovery d = resolver.resolve("mixed.test", "_sip._tcp");
        assertEquals(1, d.targets().size());
        SrvTarget dual = d.targets().get(0);
        assertEquals(List.of(InetAddress.getByName("127.0.0.40"), InetAddress.getByName("::1")), dual.addresses());
        assertEquals(1, d.problems().size());
        assertTrue(d.problems().get(0).contains("ghost.mixed.test"), d.problems().toString());

        List<String> left = new ArrayList<>();
        assertEquals(new InetSocketAddress("::1", 5070),
            d.proxies(a -> !(a instanceof Inet4Address), left).get(0).address(), "an IPv6 gateway takes the AAAA");
        assertTrue(d.proxies(a -> false, left).isEmpty());
        assertEquals(1, left.size());
    }

    @Test
    void nothingThereIsAnError() {
        DiscoveryException e = assertThrows(DiscoveryException.class, () -> resolver.resolve("nowhere.test", "_sip._udp"));
        assertTrue(e.getMessage().contains("no SRV record for _sip._udp.nowhere.test."), e.getMessage());
        assertTrue(e.getMessage().contains(dns.address()), "names the server asked: " + e.getMessage());
    }

    @Test
    void aSilentServerIsAnErrorWithinTheTimeout() {
        SrvResolver silent = new SrvResolver(new InetSocketAddress(FreePorts.LOOPBACK, FreePorts.udp()),
            Duration.ofMillis(500));
        long t0 = System.nanoTime();
        DiscoveryException e = assertThrows(DiscoveryException.class, () -> silent.resolve("test.com", "_sip._udp"));
        assertTrue(e.getMessage().startsWith("no answer from"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "bounded by the timeout");
    }

    @Test
    void badInputIsRefusedClearly() {
        assertThrows(IllegalArgumentException.class, () -> resolver.resolve("test.com", "_http._tcp"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> resolver.resolve("a..b", "_sip._udp"));
        assertTrue(e.getMessage().startsWith("not a domain name"), e.getMessage());
    }
}
