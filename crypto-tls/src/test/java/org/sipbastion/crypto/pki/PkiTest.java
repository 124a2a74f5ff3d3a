package org.sipbastion.crypto.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PkiTest {
    private static final Instant NOW = Instant.parse("2026-11-24T00:00:00Z");

    @TempDir
    Path dir;

    @Test
    void initMakesACaAndOneCertificatePerRoleThatChainToIt() throws Exception {
        List<Path> files = PkiDirectory.init(dir, Map.of("gateway", List.of("gw.example.net", "192.0.2.10"),
            "agent", List.of("proxy1.example.net", "::1")), NOW);
        assertEquals(6, files.size());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.key"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("agent.key"))));

        TrustAnchors trust = TrustAnchors.load(dir.resolve("ca.crt"));
        List<X509Certificate> gateway = Pem.certificates(dir.resolve("gateway.crt"));
        assertEquals(2, gateway.size(), "the certificate, then the CA's");
        trust.check(gateway.subList(0, 1), NOW.plus(Duration.ofDays(1)));
        assertTrue(TrustAnchors.names(gateway.get(0), "gw.example.net"));
        assertTrue(TrustAnchors.names(gateway.get(0), "GW.Example.NET"));
        assertTrue(TrustAnchors.names(gateway.get(0), "192.0.2.10"));
        assertFalse(TrustAnchors.names(gateway.get(0), "192.0.2.11"));
        assertFalse(TrustAnchors.names(gateway.get(0), "evil.example.net"));
        X509Certificate agent = Pem.certificates(dir.resolve("agent.crt")).get(0);
        assertTrue(TrustAnchors.names(agent, "0:0:0:0:0:0:0:1"), "IPv6 compared as addresses");

        // The key in the file is the certificate's.
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(Pem.privateKey(dir.resolve("agent.key")));
        s.update(new byte[] {1, 2, 3});
        byte[] sig = s.sign();
        s.initVerify(agent);
        s.update(new byte[] {1, 2, 3});
        assertTrue(s.verify(sig));

        IOException again = assertThrows(IOException.class, () -> PkiDirectory.init(dir, Map.of(), NOW));
        assertTrue(again.getMessage().contains("a CA is already there"), again.getMessage());
    }

    @Test
    void wrongCaExpiredAndNotYetValidAreEachTheirOwnReason() {
        CertificateAuthority ca = CertificateAuthority.create("lab", Duration.ofDays(3650), NOW);
        CertificateAuthority other = CertificateAuthority.create("other", Duration.ofDays(3650), NOW);
        CertificateAuthority.Issued peer = ca.issue("agent", List.of("agent.test"), Duration.ofDays(30), NOW);
        TrustAnchors ours = new TrustAnchors(List.of(ca.certificate()));
        TrustAnchors theirs = new TrustAnchors(List.of(other.certificate()));

        assertEquals(CertificateRejected.Reason.UNTRUSTED, reason(theirs, peer.certificate(), NOW));
        assertEquals(CertificateRejected.Reason.EXPIRED, reason(ours, peer.certificate(), NOW.plus(Duration.ofDays(31))));
        assertEquals(CertificateRejected.Reason.NOT_YET_VALID, reason(ours, peer.certificate(), NOW.minus(Duration.ofDays(1))));
        assertEquals(List.of(), PkiDirectory.expiryWarnings("agent", List.of(peer.certificate()), NOW.minus(Duration.ofDays(10))));
        List<String> warn = PkiDirectory.expiryWarnings("agent", List.of(peer.certificate()), NOW.plus(Duration.ofDays(20)));
        assertEquals(1, warn.size());
        assertTrue(warn.get(0).contains("expires in 10 days"), warn.toString());
    }

    @Test
    void badNamesAndFilesGetClearErrors() throws IOException {
        CertificateAuthority ca = CertificateAuthority.create("lab", Duration.ofDays(10), NOW);
        assertThrows(IllegalArgumentException.class, () -> ca.issue("x", List.of("bad name!"), Duration.ofDays(1), NOW));
        assertThrows(IllegalArgumentException.class, () -> ca.issue("x", List.of(), Duration.ofDays(1), NOW));
        Path junk = dir.resolve("junk.pem");
        Files.writeString(junk, "hello\n");
        IOException e = assertThrows(IOException.class, () -> Pem.certificates(junk));
        assertTrue(e.getMessage().contains("no certificate"), e.getMessage());
        Files.writeString(junk, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertThrows(IOException.class, () -> Pem.certificates(junk));
        e = assertThrows(IOException.class, () -> Pem.privateKey(junk));
        assertTrue(e.getMessage().startsWith(junk.toString()), e.getMessage());
        IOException notCa = assertThrows(IOException.class, () -> {
            Path leaf = dir.resolve("leaf.crt");
            Pem.writeCertificates(leaf, ca.issue("x", List.of("x.test"), Duration.ofDays(1), NOW).certificate());
            CertificateAuthority.load(leaf, junk);
        });
        assertTrue(notCa.getMessage().contains("not a CA certificate"), notCa.getMessage());
    }

    private static CertificateRejected.Reason reason(TrustAnchors trust, X509Certificate c, Instant at) {
        return assertThrows(CertificateRejected.class, () -> trust.check(List.of(c), at)).reason();
    }
}
