package dev.seraphim.api;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ClientAddressTest {
    @Test
    void ipv4KeepsItsSlash24() {
        assertEquals("203.0.113.0", ClientAddress.mask("203.0.113.57"));
        assertEquals("127.0.0.0", ClientAddress.mask("127.0.0.1"));
    }

    @Test
    void ipv6KeepsItsSlash48() {
        assertEquals("2001:db8:85a3::", ClientAddress.mask("2001:0db8:85a3:0000:0000:8a2e:0370:7334"));
        assertEquals("2001:db8:1::", ClientAddress.mask("[2001:db8:1:2::5]"));
        assertEquals("fe80:0:0::", ClientAddress.mask("fe80::1%eth0"));
        assertEquals("0:0:0::", ClientAddress.mask("0:0:0:0:0:0:0:1"));
    }

    @Test
    void ipv4MappedIpv6IsMaskedAsIpv4() {
        assertEquals("192.0.2.0", ClientAddress.mask("::ffff:192.0.2.128"));
    }

    @Test
    void hostNamesAndJunkAreNeverResolved() {
        assertNull(ClientAddress.mask("example.com"));
        assertNull(ClientAddress.mask("localhost"));
        assertNull(ClientAddress.mask(""));
        assertNull(ClientAddress.mask(null));
        assertNull(ClientAddress.mask("1.2.3.4; rm -rf"));
    }
}
