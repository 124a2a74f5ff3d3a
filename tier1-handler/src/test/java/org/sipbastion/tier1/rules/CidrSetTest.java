package org.sipbastion.tier1.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sipbastion.tier1.Sip;

class CidrSetTest {
    private static CidrSet set(String... blocks) {
        List<Cidr> c = new ArrayList<>();
        for (String b : blocks) {
            c.add(Cidr.parse(b));
        }
        return CidrSet.of(c);
    }

    @Test
    void mergedRangesAnswerAsTheBlocksWould() {
        CidrSet s = set("10.0.0.0/8", "10.1.0.0/16", "192.0.2.7", "192.0.2.8/31", "2001:db8::/32", "2001:db8:1::/48", "::1");
        assertTrue(s.contains(Sip.ip("10.255.255.255")));
        assertFalse(s.contains(Sip.ip("11.0.0.0")));
        assertTrue(s.contains(Sip.ip("192.0.2.7")));
        assertTrue(s.contains(Sip.ip("192.0.2.9")));
        assertFalse(s.contains(Sip.ip("192.0.2.10")));
        assertFalse(s.contains(Sip.ip("192.0.2.6")));
        assertTrue(s.contains(Sip.ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")));
        assertFalse(s.contains(Sip.ip("2001:db9::")));
        assertTrue(s.contains(Sip.ip("::1")));
        assertFalse(s.contains(Sip.ip("::2")));
        assertFalse(CidrSet.EMPTY.contains(Sip.ip("10.0.0.1")));
        assertEquals(7, s.blocks());
    }

    @Test
    void agreesWithALinearScanOnRandomBlocksAndAddresses() throws Exception {
        SplittableRandom r = new SplittableRandom(3);
        List<Cidr> blocks = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            int a = r.nextInt();
            int prefix = 8 + r.nextInt(25);
            blocks.add(Cidr.parse((a >>> 24) + "." + (a >>> 16 & 255) + "." + (a >>> 8 & 255) + "." + (a & 255) + "/" + prefix));
        }
        CidrSet s = CidrSet.of(blocks);
        for (int i = 0; i < 20_000; i++) {
            int a = r.nextInt();
            InetAddress x = InetAddress.getByAddress(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a});
            boolean linear = blocks.stream().anyMatch(c -> c.contains(x));
            assertEquals(linear, s.contains(x), x.toString());
        }
    }

    @Test
    void aFeedSkipsWhatIsNotAnAddressAndSaysWhere() {
        List<String> problems = new ArrayList<>();
        List<Cidr> c = DenyFeed.parse("feed.txt", "# spamhaus-like list\n192.0.2.0/24 ; comment-ish\n\n198.51.100.7  # one host\n"
            + "not-an-address\n2001:db8::/32\n", problems);
        assertEquals(2, c.size());
        assertEquals(List.of("feed.txt:2: '192.0.2.0/24 ; comment-ish': prefix length must be a number",
            "feed.txt:5: 'not-an-address' is not an IP address or CIDR block"), problems.subList(0, 2));
    }

    @Test
    void aFeedSectionNeedsAFileOrAnHttpUrl() throws RulesException {
        Rules r = RulesTest.parse("[deny_feed local]\nfile = /etc/bastion/deny.txt\n[deny_feed remote]\nurl = https://feeds.example/deny.txt\nrefresh = 15m\n");
        assertEquals(2, r.denyFeeds.size());
        assertEquals(900_000_000_000L, r.denyFeeds.get(1).refreshNanos());
        assertEquals(List.of("t.rules:1: [deny_feed x] needs exactly one of file and url"),
            RulesTest.errors("[deny_feed x]\nrefresh = 1h\n"));
        assertEquals(List.of("t.rules:1: [deny_feed x] url 'ftp://a/b' is not an http or https URL"),
            RulesTest.errors("[deny_feed x]\nurl = ftp://a/b\n"));
    }
}
