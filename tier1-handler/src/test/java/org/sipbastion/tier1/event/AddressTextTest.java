package org.sipbastion.tier1.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.sipbastion.tier1.Sip;

class AddressTextTest {
    @Test
    void ipv6InTheRfc5952Form() {
        assertEquals("2001:db8::66", AddressText.of(Sip.ip("2001:db8:0:0:0:0:0:66")));
        assertEquals("::1", AddressText.of(Sip.ip("::1")));
        assertEquals("::", AddressText.of(Sip.ip("::")));
        assertEquals("2001:db8::", AddressText.of(Sip.ip("2001:db8::")));
        assertEquals("2001:db8:0:1:1:1:1:1", AddressText.of(Sip.ip("2001:db8:0:1:1:1:1:1")), "one zero group stays");
        assertEquals("2001:0:0:1::1", AddressText.of(Sip.ip("2001:0:0:1:0:0:0:1")), "the longest run is shortened");
        assertEquals("2001:db8::1:0:0:1", AddressText.of(Sip.ip("2001:db8:0:0:1:0:0:1")), "the first of equal runs");
        assertEquals("fe80::abcd", AddressText.of(Sip.ip("FE80::ABCD")));
        assertEquals("192.0.2.1", AddressText.of(Sip.ip("192.0.2.1")));
    }
}
