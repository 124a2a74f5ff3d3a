package org.sipbastion.crypto.pki;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files {@code bastion pki init DIR} makes, for a lab or a first install: a CA ({@code ca.crt},
 * {@code ca.key}) and, for each role, {@code ROLE.crt} (the certificate, then the CA's) and
 * {@code ROLE.key}. Keys are readable by their owner only. An existing CA is never overwritten: a
 * second init would cut every peer holding the first one's certificates.
 */
public final class PkiDirectory {
    /** The CA's lifetime: ten years. */
    public static final Duration CA_VALIDITY = Duration.ofDays(3650);
    /** A peer certificate's lifetime: 825 days, the longest browsers accept (the console's is one). */
    public static final Duration PEER_VALIDITY = Duration.ofDays(825);
    /** Certificates expiring within this are warned of (an alarm at start and each day). */
    public static final Duration EXPIRY_WARNING = Duration.ofDays(30);
    /** The roles made by default, each named for the local host. */
    public static final List<String> ROLES = List.of("gateway", "agent", "console");

    private PkiDirectory() {
    }

    /**
     * Makes the CA and a certificate per role in {@code dir}; {@code names} gives each role's
     * subject alternative names (the host names and addresses its peers reach it at). Returns the
     * files written.
     */
    public static List<Path> init(Path dir, Map<String, List<String>> names, Instant now) throws IOException {
        Path caKey = dir.resolve("ca.key");
        if (Files.exists(caKey)) {
            throw new IOException(caKey + " exists: a CA is already there (its certificates would stop working if it"
                + " were replaced); use another directory, or remove it on purpose");
        }
        Files.createDirectories(dir);
        CertificateAuthority ca = CertificateAuthority.create("SIP Bastion CA " + now.toString().substring(0, 10),
            CA_VALIDITY, now);
        List<Path> written = new ArrayList<>();
        Path caCert = dir.resolve("ca.crt");
        Pem.writeCertificates(caCert, ca.certificate());
        Pem.writePrivateKey(caKey, ca.key());
        written.add(caCert);
        written.add(caKey);
        for (Map.Entry<String, List<String>> role : new LinkedHashMap<>(names).entrySet()) {
            String r = role.getKey();
            if (!r.matches("[a-z][a-z0-9-]{0,31}")) {
                throw new IllegalArgumentException("a role is a short lower-case name, not " + r);
            }
            CertificateAuthority.Issued issued = ca.issue(r + " " + role.getValue().get(0), role.getValue(),
                PEER_VALIDITY, now);
            Path cert = dir.resolve(r + ".crt");
            Path key = dir.resolve(r + ".key");
            Pem.writeCertificates(cert, issued.certificate(), ca.certificate());
            Pem.writePrivateKey(key, issued.key());
            written.add(cert);
            written.add(key);
        }
        return written;
    }

    /** One line per certificate of {@code chain} that expires within {@link #EXPIRY_WARNING} (or has). */
    public static List<String> expiryWarnings(String what, List<X509Certificate> chain, Instant now) {
        List<String> out = new ArrayList<>();
        for (X509Certificate c : chain) {
            Duration left = TrustAnchors.remaining(c, now);
            if (left.compareTo(EXPIRY_WARNING) <= 0) {
                out.add(what + ": " + c.getSubjectX500Principal().getName() + (left.isNegative()
                    ? " expired on " + c.getNotAfter().toInstant() : " expires in " + left.toDays() + " days ("
                    + c.getNotAfter().toInstant() + ")"));
            }
        }
        return out;
    }
}
