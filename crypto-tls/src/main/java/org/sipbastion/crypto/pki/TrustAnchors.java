package org.sipbastion.crypto.pki;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The CAs a peer's certificate must chain to (the installation's trust store), and the checks made
 * of a peer's certificate: chain and validity at a given time (PKIX, no revocation lists on an edge
 * appliance that may not reach them), and its names (subject alternative names, RFC 6125: a DNS
 * name, with a wildcard in its first label only, or an IP address).
 */
public final class TrustAnchors {
    private final Set<TrustAnchor> anchors = new HashSet<>();
    private final List<X509Certificate> cas;

    public TrustAnchors(List<X509Certificate> cas) {
        if (cas.isEmpty()) {
            throw new IllegalArgumentException("a trust store needs at least one CA certificate");
        }
        this.cas = List.copyOf(cas);
        for (X509Certificate c : cas) {
            anchors.add(new TrustAnchor(c, null));
        }
    }

    /** The CA certificates in {@code file} (PEM). */
    public static TrustAnchors load(Path file) throws IOException {
        return new TrustAnchors(Pem.certificates(file));
    }

    public List<X509Certificate> certificates() {
        return cas;
    }

    /**
     * Checks that {@code chain} (the peer's certificate first) chains to one of our CAs and that
     * each certificate is valid at {@code at}.
     */
    public void check(List<X509Certificate> chain, Instant at) throws CertificateRejected {
        if (chain.isEmpty()) {
            throw new CertificateRejected(CertificateRejected.Reason.UNTRUSTED, "no certificate");
        }
        try {
            CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(chain);
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            params.setDate(Date.from(at));
            CertPathValidator.getInstance("PKIX").validate(path, params);
        } catch (CertPathValidatorException e) {
            CertificateRejected.Reason reason = e.getReason() == CertPathValidatorException.BasicReason.EXPIRED
                ? CertificateRejected.Reason.EXPIRED
                : e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID ? CertificateRejected.Reason.NOT_YET_VALID
                : CertificateRejected.Reason.UNTRUSTED;
            String who = chain.get(0).getSubjectX500Principal().getName();
            throw new CertificateRejected(reason, who + ": " + (reason == CertificateRejected.Reason.UNTRUSTED
                && e.getReason() == PKIXReason.NO_TRUST_ANCHOR ? "not issued by a CA of the trust store" : e.getMessage()));
        } catch (InvalidAlgorithmParameterException e) {
            throw new IllegalStateException("trust store unusable: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new CertificateRejected(CertificateRejected.Reason.UNTRUSTED, "unreadable certificate: " + e.getMessage());
        }
    }

    /** Whether {@code cert} names {@code host} (a host name or an IP address) among its subject alternative names. */
    public static boolean names(X509Certificate cert, String host) {
        try {
            if (cert.getSubjectAlternativeNames() == null) {
                return false;
            }
            boolean ip = host.matches("[0-9.]+|.*:.*");
            for (List<?> san : cert.getSubjectAlternativeNames()) {
                int type = (Integer) san.get(0);
                String value = (String) san.get(1);
                if (ip && type == 7 && sameAddress(value, host)) {
                    return true;
                }
                if (!ip && type == 2 && dnsMatch(value, host)) {
                    return true;
                }
            }
        } catch (CertificateParsingException e) {
            return false;
        }
        return false;
    }

    private static boolean sameAddress(String a, String b) {
        try {
            return InetAddress.getByName(a).equals(InetAddress.getByName(b));
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static boolean dnsMatch(String pattern, String host) {
        String p = pattern.toLowerCase(Locale.ROOT);
        String h = host.toLowerCase(Locale.ROOT);
        if (p.startsWith("*.")) {
            int dot = h.indexOf('.');
            return dot > 0 && h.substring(dot).equals(p.substring(1));
        }
        return p.equals(h);
    }

    /** How long {@code cert} remains valid after {@code now} (negative once expired). */
    public static Duration remaining(X509Certificate cert, Instant now) {
        return Duration.between(now, cert.getNotAfter().toInstant());
    }
}
