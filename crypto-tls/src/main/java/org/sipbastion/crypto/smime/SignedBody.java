package org.sipbastion.crypto.smime;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.sipbastion.crypto.pki.CertificateRejected;
import org.sipbastion.crypto.pki.TrustAnchors;

/**
 * An S/MIME signed body (RFC 8551 {@code application/pkcs7-mime; smime-type=signed-data}): the
 * content wrapped in a CMS SignedData (RFC 5652) with one signature and the signer's certificate.
 * The agents sign their workload reports with it; the gateway takes a report only when the
 * signature verifies with the enclosed certificate, that certificate chains to its trust store and
 * is valid now, and it names the agent expected. Every rejection says which check failed.
 */
public final class SignedBody {
    /** The Content-Type of such a body in a SIP message. */
    public static final String CONTENT_TYPE = "application/pkcs7-mime; smime-type=signed-data; name=smime.p7m";
    /** The largest body accepted for verification (a report is a few hundred bytes, its certificate under 1 KB). */
    public static final int MAX_BYTES = 16 * 1024;

    private SignedBody() {
    }

    /** {@code content} signed with {@code key} (ECDSA or RSA, SHA-256), {@code chain} enclosed (the signer's first). */
    public static byte[] sign(byte[] content, PrivateKey key, List<X509Certificate> chain) {
        try {
            String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
            CMSSignedDataGenerator g = new CMSSignedDataGenerator();
            g.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().build())
                .build(new JcaContentSignerBuilder(algorithm).build(key), chain.get(0)));
            g.addCertificates(new JcaCertStore(chain));
            return g.generate(new CMSProcessableByteArray(content), true).getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign: " + e.getMessage(), e);
        }
    }

    /**
     * The content of {@code body}, once its signature, its signer's certificate and that
     * certificate's name are checked.
     *
     * @param expectedName a name the signer's certificate must carry (the agent's host), or null for any
     */
    public static Verified verify(byte[] body, TrustAnchors trust, String expectedName, Instant now) throws Rejected {
        if (body.length == 0 || body.length > MAX_BYTES) {
            throw new Rejected(Rejected.Reason.NOT_SIGNED, "a body of " + body.length + " bytes is no signed report");
        }
        CMSSignedData signed;
        try {
            signed = new CMSSignedData(body);
        } catch (CMSException | RuntimeException e) {
            throw new Rejected(Rejected.Reason.NOT_SIGNED, "not a CMS SignedData: " + e.getMessage());
        }
        if (signed.getSignedContent() == null) {
            throw new Rejected(Rejected.Reason.NOT_SIGNED, "a detached signature without its content");
        }
        Collection<SignerInformation> signers = signed.getSignerInfos().getSigners();
        if (signers.size() != 1) {
            throw new Rejected(Rejected.Reason.NOT_SIGNED, signers.size() + " signatures (one expected)");
        }
        SignerInformation signer = signers.iterator().next();
        @SuppressWarnings("unchecked")
        Collection<X509CertificateHolder> matches = signed.getCertificates().getMatches(signer.getSID());
        if (matches.isEmpty()) {
            throw new Rejected(Rejected.Reason.NOT_SIGNED, "the signer's certificate is not enclosed");
        }
        X509Certificate cert;
        List<X509Certificate> chain = new ArrayList<>();
        try {
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            cert = converter.getCertificate(matches.iterator().next());
            chain.add(cert);
            @SuppressWarnings("unchecked")
            Collection<X509CertificateHolder> all = signed.getCertificates().getMatches(null);
            for (X509CertificateHolder h : all) {
                X509Certificate c = converter.getCertificate(h);
                if (!c.equals(cert) && c.getBasicConstraints() >= 0) {
                    chain.add(c); // an intermediate CA the agent enclosed
                }
            }
        } catch (Exception e) {
            throw new Rejected(Rejected.Reason.NOT_SIGNED, "the enclosed certificates cannot be read: " + e.getMessage());
        }
        // Who signed first (is the certificate ours, valid now), then what: an expired certificate is
        // reported as expired, not as the signature's failure at its signing time.
        try {
            trust.check(chain, now);
        } catch (CertificateRejected e) {
            throw new Rejected(e.reason() == CertificateRejected.Reason.UNTRUSTED ? Rejected.Reason.UNTRUSTED_SIGNER
                : Rejected.Reason.EXPIRED_CERTIFICATE, e.getMessage());
        }
        try {
            if (!signer.verify(new JcaSimpleSignerInfoVerifierBuilder().build(cert))) {
                throw new Rejected(Rejected.Reason.BAD_SIGNATURE, "the signature does not verify (content altered?)");
            }
        } catch (Rejected r) {
            throw r;
        } catch (org.bouncycastle.cms.CMSVerifierCertificateNotValidException e) {
            throw new Rejected(Rejected.Reason.EXPIRED_CERTIFICATE, "signed when the certificate was not valid: " + e.getMessage());
        } catch (Exception e) {
            throw new Rejected(Rejected.Reason.BAD_SIGNATURE, "the signature does not verify: " + e.getMessage());
        }
        if (expectedName != null && !TrustAnchors.names(cert, expectedName)) {
            throw new Rejected(Rejected.Reason.WRONG_SIGNER, "signed by " + cert.getSubjectX500Principal().getName()
                + ", whose certificate does not name " + expectedName);
        }
        try {
            return new Verified((byte[]) signed.getSignedContent().getContent(), cert);
        } catch (ClassCastException e) {
            throw new Rejected(Rejected.Reason.NOT_SIGNED, "content of an unexpected kind");
        }
    }

    /** A verified body: its content and who signed it. */
    public record Verified(byte[] content, X509Certificate signer) {
    }

    /** A body that did not pass, with which check failed. */
    public static final class Rejected extends Exception {
        /** Each check, counted apart. */
        public enum Reason {
            /** Not a signed body at all (unsigned, truncated, garbage, detached, several signers). */
            NOT_SIGNED,
            /** The signature does not verify with the enclosed certificate: the content was altered. */
            BAD_SIGNATURE,
            /** The certificate does not chain to the trust store. */
            UNTRUSTED_SIGNER,
            /** The certificate (or its CA) has expired or is not valid yet. */
            EXPIRED_CERTIFICATE,
            /** Valid, but issued to another agent than the one subscribed to. */
            WRONG_SIGNER
        }

        private final Reason reason;

        public Rejected(Reason reason, String message) {
            super(message);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }
}
