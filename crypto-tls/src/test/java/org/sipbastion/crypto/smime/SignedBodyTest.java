package org.sipbastion.crypto.smime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipbastion.crypto.pki.CertificateAuthority;
import org.sipbastion.crypto.pki.TrustAnchors;
import org.sipbastion.crypto.smime.SignedBody.Rejected.Reason;

/** A signed workload body, and each way a body can fail the gateway's checks. */
class SignedBodyTest {
    private static final Instant NOW = Instant.parse("2026-11-24T00:00:00Z");
    private static final byte[] REPORT = "boot=1732400000 seq=7 cpu=0.42\n".getBytes(StandardCharsets.US_ASCII);
    private final CertificateAuthority ca = CertificateAuthority.create("lab", Duration.ofDays(3650), NOW);
    private final TrustAnchors trust = new TrustAnchors(List.of(ca.certificate()));
    private final CertificateAuthority.Issued agent = ca.issue("agent", List.of("proxy1.test", "127.0.0.1"),
        Duration.ofDays(30), NOW);

    private byte[] signed(CertificateAuthority.Issued by) {
        return SignedBody.sign(REPORT, by.key(), List.of(by.certificate()));
    }

    @Test
    void aGoodBodyGivesBackItsContentAndSigner() throws Exception {
        SignedBody.Verified v = SignedBody.verify(signed(agent), trust, "proxy1.test", NOW);
        assertArrayEquals(REPORT, v.content());
        assertEquals(agent.certificate(), v.signer());
        SignedBody.verify(signed(agent), trust, "127.0.0.1", NOW);
        SignedBody.verify(signed(agent), trust, null, NOW);
    }

    @Test
    void eachBadBodyIsRejectedForItsOwnReason() {
        assertEquals(Reason.NOT_SIGNED, reason(REPORT, "proxy1.test", NOW), "plain text");
        assertEquals(Reason.NOT_SIGNED, reason(new byte[0], null, NOW));
        assertEquals(Reason.NOT_SIGNED, reason(new byte[SignedBody.MAX_BYTES + 1], null, NOW));
        byte[] body = signed(agent);
        assertEquals(Reason.NOT_SIGNED, reason(java.util.Arrays.copyOf(body, body.length / 2), null, NOW), "truncated");

        byte[] tampered = body.clone();
        int at = indexOf(tampered, "cpu=0.42".getBytes(StandardCharsets.US_ASCII));
        tampered[at + 4] = '9'; // cpu=0.92: the agent looks busier than it said
        assertEquals(Reason.BAD_SIGNATURE, reason(tampered, null, NOW));

        CertificateAuthority other = CertificateAuthority.create("other", Duration.ofDays(3650), NOW);
        CertificateAuthority.Issued forger = other.issue("agent", List.of("proxy1.test"), Duration.ofDays(30), NOW);
        assertEquals(Reason.UNTRUSTED_SIGNER, reason(signed(forger), "proxy1.test", NOW));
        assertEquals(Reason.EXPIRED_CERTIFICATE, reason(body, "proxy1.test", NOW.plus(Duration.ofDays(31))));
        assertEquals(Reason.WRONG_SIGNER, reason(body, "proxy2.test", NOW), "another agent's certificate");
    }

    private Reason reason(byte[] body, String name, Instant at) {
        return assertThrows(SignedBody.Rejected.class, () -> SignedBody.verify(body, trust, name, at)).reason();
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
