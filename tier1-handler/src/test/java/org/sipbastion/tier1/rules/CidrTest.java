package org.sipbastion.tier1.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sipbastion.tier1.Sip;

class CidrTest {
    @Test
    void v4AndV6BlocksAndBareAddresses() {
        assertTrue(Cidr.parse("192.0.2.0/24").contains(Sip.ip("192.0.2.255")));
        assertFalse(Cidr.parse("192.0.2.0/24").contains(Sip.ip("192.0.3.0")));
        assertTrue(Cidr.parse("0.0.0.0/0").contains(Sip.ip("203.0.113.1")));
        assertFalse(Cidr.parse("0.0.0.0/0").contains(Sip.ip("2001:db8::1")), "families never mix");
        assertTrue(Cidr.parse("10.1.2.3").contains(Sip.ip("10.1.2.3")));
        assertFalse(Cidr.parse("10.1.2.3").contains(Sip.ip("10.1.2.4")));
        assertTrue(Cidr.parse("2001:db8::/33").contains(Sip.ip("2001:db8:7fff::1")));
        assertFalse(Cidr.parse("2001:db8::/33").contains(Sip.ip("2001:db8:8000::1")));
        assertTrue(Cidr.parse("::/0").contains(Sip.ip("::1")));
        assertTrue(Cidr.parse("192.0.2.77/24").contains(Sip.ip("192.0.2.1")), "host bits are ignored");
    }

    @Test
    void namesAndNonsenseAreRefused() {
        for (String bad : new String[] {"example.com", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "", "::/129", "1.2.3.4.5"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(bad), bad);
            assertTrue(e.getMessage().contains(bad) || bad.isEmpty(), e.getMessage());
        }
        assertEquals("10.0.0.0/8", Cidr.parse(" 10.0.0.0/8 ").toString());
    }
}
