package org.sipbastion.crypto.pki;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * Certificates and private keys in PEM files, the form operators and openssl use. Keys are written
 * as unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}, which Netty and the JDK read as is), readable by
 * the owner only; keys in the traditional forms ({@code BEGIN EC PRIVATE KEY}, {@code BEGIN RSA
 * PRIVATE KEY}) are read too. Every failure names the file and what was wrong with it.
 */
public final class Pem {
    private Pem() {
    }

    /** Every certificate in {@code file}, in order (a chain: the leaf first). */
    public static List<X509Certificate> certificates(Path file) throws IOException {
        List<X509Certificate> out = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            Object o;
            while ((o = read(p, file)) != null) {
                if (o instanceof X509CertificateHolder h) {
                    out.add(toX509(h));
                }
            }
        }
        if (out.isEmpty()) {
            throw new IOException(file + ": no certificate (expected -----BEGIN CERTIFICATE-----)");
        }
        return out;
    }

    /** The one private key in {@code file}. */
    public static PrivateKey privateKey(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            Object o;
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            while ((o = read(p, file)) != null) {
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    return converter.getKeyPair(pair).getPrivate();
                }
            }
        }
        throw new IOException(file + ": no unencrypted private key (expected -----BEGIN PRIVATE KEY-----)");
    }

    private static Object read(PEMParser p, Path file) throws IOException {
        try {
            return p.readObject();
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": not readable as PEM (" + e.getMessage() + ")", e);
        }
    }

    static X509Certificate toX509(X509CertificateHolder h) throws IOException {
        try {
            return new JcaX509CertificateConverter().getCertificate(h);
        } catch (CertificateException e) {
            throw new IOException("a certificate the JDK cannot read: " + e.getMessage(), e);
        }
    }

    /** PEM text of certificates, or of a private key (PKCS#8). */
    public static String text(Object... objects) throws IOException {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            for (Object o : objects) {
                w.writeObject(o instanceof PrivateKey k ? new JcaPKCS8Generator(k, null) : o);
            }
        }
        return s.toString();
    }

    /** Writes certificates to {@code file} (readable by all). */
    public static void writeCertificates(Path file, X509Certificate... chain) throws IOException {
        Files.writeString(file, text((Object[]) chain), StandardCharsets.US_ASCII);
    }

    /** Writes a private key to {@code file}, created readable and writable by its owner only. */
    public static void writePrivateKey(Path file, PrivateKey key) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        }
        Files.writeString(file, text(key), StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
