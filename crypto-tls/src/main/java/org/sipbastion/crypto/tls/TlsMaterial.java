package org.sipbastion.crypto.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLException;
import org.sipbastion.crypto.pki.Pem;
import org.sipbastion.crypto.pki.PkiDirectory;
import org.sipbastion.crypto.pki.TrustAnchors;

/**
 * One side's TLS identity and trust, from PEM files: its certificate chain and key, and the CAs its
 * peers' certificates must chain to. Both contexts made from it speak TLS 1.3 only and authenticate
 * both ends: a server requires a client certificate, a client checks the server's certificate names
 * the host it dialled (RFC 6125, IP addresses included). The JDK's TLS; no native library needed.
 */
public final class TlsMaterial {
    private static final String[] PROTOCOLS = {"TLSv1.3"};

    private final List<X509Certificate> chain;
    private final PrivateKey key;
    private final TrustAnchors trust;

    public TlsMaterial(List<X509Certificate> chain, PrivateKey key, TrustAnchors trust) {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a certificate is needed");
        }
        this.chain = List.copyOf(chain);
        this.key = key;
        this.trust = trust;
    }

    /** Reads the three files; errors name the file and what is wrong. */
    public static TlsMaterial load(Path certificate, Path key, Path trust) throws IOException {
        return new TlsMaterial(Pem.certificates(certificate), Pem.privateKey(key), TrustAnchors.load(trust));
    }

    public List<X509Certificate> chain() {
        return chain;
    }

    public PrivateKey key() {
        return key;
    }

    public TrustAnchors trust() {
        return trust;
    }

    /** Lines to warn of: our certificates and the CAs we trust that expire within 30 days. */
    public List<String> expiryWarnings(Instant now) {
        List<String> out = new java.util.ArrayList<>(PkiDirectory.expiryWarnings("our certificate", chain, now));
        out.addAll(PkiDirectory.expiryWarnings("trusted CA", trust.certificates(), now));
        return out;
    }

    /** A server context: TLS 1.3, a client certificate from a trusted CA required. */
    public SslContext server() throws SSLException {
        return SslContextBuilder.forServer(key, chain.toArray(new X509Certificate[0]))
            .trustManager(trust.certificates().toArray(new X509Certificate[0]))
            .clientAuth(ClientAuth.REQUIRE)
            .protocols(PROTOCOLS)
            .sslProvider(SslProvider.JDK)
            .build();
    }

    /**
     * A client context: TLS 1.3, our certificate offered, the server's checked against our CAs and
     * against the host name or address given to {@code newHandler(alloc, host, port)}.
     */
    public SslContext client() throws SSLException {
        return SslContextBuilder.forClient()
            .keyManager(key, chain.toArray(new X509Certificate[0]))
            .trustManager(trust.certificates().toArray(new X509Certificate[0]))
            .protocols(PROTOCOLS)
            .sslProvider(SslProvider.JDK)
            .endpointIdentificationAlgorithm("HTTPS")
            .build();
    }
}
