package org.sipbastion.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.sipbastion.gateway.GatewayConfig;
import org.sipbastion.tier2.balance.Algorithm;
import org.sipbastion.tier2.farm.ProxyFarm;
import org.sipbastion.tier2.pool.ProxySpec;

class BalancingOptionsTest {
    @Test
    void proxiesCarryTheirPriorityWeightAndCapacity() {
        BalancingOptions o = new BalancingOptions();
        assertTrue(o.take("--proxy", "10.0.0.1:5060,weight=60,priority=10,capacity=450"));
        assertTrue(o.take("--proxy", "[2001:db8::2]:5080"));
        assertTrue(o.take("--algorithm", "tlwl"));
        assertTrue(o.take("--max-dialogs", "5000"));
        assertTrue(o.take("--dead-proxy-dialogs", "reroute"));
        assertFalse(o.take("--rules", "x"));
        GatewayConfig.Balancing b = o.build();
        assertEquals(new ProxySpec("10.0.0.1:5060", 10, 60, 450), b.specs().get(0));
        assertEquals(ProxySpec.of("[2001:db8::2]:5080"), b.specs().get(1));
        assertEquals(Algorithm.TLWL, b.algorithm());
        assertEquals(5000, b.maxDialogs());
        assertEquals(ProxyFarm.DeadProxyDialogs.REROUTE, b.deadProxyDialogs());
    }

    @Test
    void badValuesAreUsageErrorsThatSayWhatWasExpected() {
        assertTrue(error("--proxy", "10.0.0.1:5060,weight=0").contains("weight: expected a number from 1 to 65535"));
        assertTrue(error("--proxy", "10.0.0.1:5060,cost=3").contains("unknown key cost"));
        assertTrue(error("--proxy", "10.0.0.1:5060,weight").contains("expected KEY=VALUE"));
        assertTrue(error("--algorithm", "random").contains("use one of lstt, round-robin"));
        assertTrue(error("--dead-proxy-dialogs", "maybe").contains("reject or reroute"));
        assertTrue(error("--max-dialogs", "-5").contains("--max-dialogs"));
        BalancingOptions o = new BalancingOptions();
        o.take("--proxy", "10.0.0.1:5060");
        assertThrows(Main.UsageException.class, () -> o.take("--proxy", "10.0.0.1:5060,weight=2"), "twice");
    }

    @Test
    void theCliExitsTwoOnABadProxySpec() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(new String[] {"run", "--proxy", "127.0.0.1:5071,capacity=lots"},
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, exit);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("capacity (calls/s): expected a number"), err.toString());
    }

    @Test
    void srvDiscoveryOptions() {
        BalancingOptions o = new BalancingOptions();
        assertTrue(o.take("--srv", "example.com"));
        assertTrue(o.take("--dns", "127.0.0.1:5353"));
        assertTrue(o.take("--srv-refresh", "30"));
        assertTrue(o.take("--max-proxies", "4"));
        GatewayConfig.Discovery d = o.discovery();
        assertEquals(new GatewayConfig.Discovery("example.com", "_sip._udp",
            new java.net.InetSocketAddress("127.0.0.1", 5353), 30, 4), d);
        assertTrue(o.discovers());

        BalancingOptions port53 = new BalancingOptions();
        port53.take("--srv", "example.com");
        port53.take("--dns", "127.0.0.1");
        assertEquals(53, port53.discovery().server().getPort());
        assertEquals(GatewayConfig.Discovery.DEFAULT_REFRESH_SECONDS, port53.discovery().refreshSeconds());

        assertTrue(error("--srv-refresh", "0").contains("--srv-refresh: expected a number from 1 to 86400"));
        assertTrue(error("--max-proxies", "5000").contains("--max-proxies"));
        BalancingOptions lone = new BalancingOptions();
        lone.take("--dns", "127.0.0.1:53");
        assertTrue(assertThrows(Main.UsageException.class, lone::discovery).getMessage().contains("go with --srv DOMAIN"));
    }

    private static String error(String option, String value) {
        return assertThrows(Main.UsageException.class, () -> new BalancingOptions().take(option, value)).getMessage();
    }
}
