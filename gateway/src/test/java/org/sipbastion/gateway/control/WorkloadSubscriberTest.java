package org.sipbastion.gateway.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sipbastion.crypto.mac.MacKeyRing;
import org.sipbastion.crypto.pki.CertificateAuthority;
import org.sipbastion.crypto.pki.TrustAnchors;
import org.sipbastion.crypto.smime.SignedBody;
import org.sipbastion.crypto.tls.TlsMaterial;
import org.sipbastion.gateway.Gateway;
import org.sipbastion.gateway.GatewayConfig;
import org.sipbastion.parser.Limits;
import org.sipbastion.tier2.workload.WorkloadReport;
import org.sipbastion.testkit.Await;

/**
 * The gateway's subscription to a hostile or broken agent, played by this test over a real mutual
 * TLS 1.3 connection: each bad NOTIFY body is refused for its own reason and counted, the good ones
 * are taken, nothing crashes, and the subscription survives; and TLS itself refuses an agent whose
 * certificate is from another CA or names another host.
 */
class WorkloadSubscriberTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static final Instant NOW = Instant.now();

    @TempDir
    Path dir;

    private final CertificateAuthority ca = CertificateAuthority.create("lab", Duration.ofDays(3650), NOW);
    private final CertificateAuthority.Issued gatewayCert = ca.issue("gateway", List.of("127.0.0.1"), Duration.ofDays(30), NOW);
    private final CertificateAuthority.Issued agentCert = ca.issue("agent", List.of("127.0.0.1"), Duration.ofDays(30), NOW);

    private TlsMaterial material(CertificateAuthority.Issued id, CertificateAuthority trusted) {
        return new TlsMaterial(List.of(id.certificate()), id.key(), new TrustAnchors(List.of(trusted.certificate())));
    }

    private static SSLContext jdkContext(TlsMaterial m) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("me", m.key(), new char[0], m.chain().toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        int n = 0;
        for (var c : m.trust().certificates()) {
            ts.setCertificateEntry("ca" + n++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    /** An agent played by hand: accepts one subscription, answers it, and sends what the test says. */
    private static final class HandAgent implements AutoCloseable {
        final SSLServerSocket server;
        SSLSocket socket;
        String callId;
        String fromHeader;
        long cseq;

        HandAgent(SSLContext ctx) throws IOException {
            server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 5,
                java.net.InetAddress.getByName("127.0.0.1"));
            server.setNeedClientAuth(true);
            server.setEnabledProtocols(new String[] {"TLSv1.3"});
            server.setSoTimeout(10_000);
        }

        int port() {
            return server.getLocalPort();
        }

        /** Accepts the gateway's connection and answers its SUBSCRIBE 200. */
        void acceptSubscription() throws IOException {
            socket = (SSLSocket) server.accept();
            socket.setSoTimeout(10_000);
            String subscribe = readMessage(socket.getInputStream());
            assertTrue(subscribe.startsWith("SUBSCRIBE "), subscribe);
            assertTrue(subscribe.contains("Event: x-workload"), subscribe);
            callId = headerOf(subscribe, "Call-ID");
            fromHeader = headerOf(subscribe, "From");
            String response = "SIP/2.0 200 OK\r\nVia: " + headerOf(subscribe, "Via") + "\r\nFrom: " + fromHeader
                + "\r\nTo: " + headerOf(subscribe, "To") + ";tag=hand\r\nCall-ID: " + callId + "\r\nCSeq: "
                + headerOf(subscribe, "CSeq") + "\r\nExpires: 600\r\nContent-Length: 0\r\n\r\n";
            socket.getOutputStream().write(response.getBytes(StandardCharsets.US_ASCII));
        }

        /** Sends a NOTIFY with {@code body} and returns the gateway's status line. */
        String notify(byte[] body) throws IOException {
            String head = "NOTIFY sip:gateway@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:" + port()
                + ";branch=z9hG4bKhand" + (++cseq) + "\r\nMax-Forwards: 70\r\nFrom: <sip:agent@127.0.0.1>;tag=hand\r\nTo: "
                + fromHeader + "\r\nCall-ID: " + callId + "\r\nCSeq: " + cseq + " NOTIFY\r\nEvent: x-workload\r\n"
                + "Subscription-State: active;expires=500\r\nContent-Type: " + SignedBody.CONTENT_TYPE
                + "\r\nContent-Length: " + body.length + "\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String answer = readMessage(socket.getInputStream());
            return answer.substring(0, answer.indexOf('\r'));
        }

        @Override
        public void close() throws IOException {
            if (socket != null) {
                socket.close();
            }
            server.close();
        }
    }

    private static String readMessage(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (!b.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed after " + b);
            }
            b.write(c);
        }
        String head = b.toString(StandardCharsets.US_ASCII);
        int length = Integer.parseInt(headerOf(head, "Content-Length"));
        in.readNBytes(length);
        return head;
    }

    private static String headerOf(String message, String name) {
        for (String line : message.split("\r\n")) {
            if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                return line.substring(name.length() + 1).trim();
            }
        }
        throw new AssertionError("no " + name + " in " + message);
    }

    private Gateway gateway(int agentPort, TlsMaterial tls) throws InterruptedException {
        List<InetSocketAddress> proxies = List.of(new InetSocketAddress("127.0.0.1", 5999));
        GatewayConfig config = new GatewayConfig(new InetSocketAddress("127.0.0.1", 0), null, proxies, MacKeyRing.random(),
            Limits.DEFAULT);
        return Gateway.start(config.withBalancing(GatewayConfig.Balancing.of(proxies).withProbeIntervalMillis(0)
            .withWorkload(new GatewayConfig.Workload(agentPort, tls))));
    }

    private byte[] report(long boot, long seq, long time, CertificateAuthority.Issued signer) {
        WorkloadReport r = new WorkloadReport("hand", boot, seq, time, 0.5, 0.25, 10, 100, 20, -1);
        return SignedBody.sign(r.encode(), signer.key(), List.of(signer.certificate()));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyBadNotifyIsRefusedForItsReasonAndTheGoodOnesTaken() throws Exception {
        try (HandAgent agent = new HandAgent(jdkContext(material(agentCert, ca)));
             Gateway gw = gateway(agent.port(), material(gatewayCert, ca))) {
            agent.acceptSubscription();
            long boot = System.currentTimeMillis() - 1000;
            long t = System.currentTimeMillis();
            var c = gw.counters();

            assertEquals("SIP/2.0 200 OK", agent.notify(report(boot, 1, t, agentCert)));
            Await.until(WAIT, () -> c.workloadReports.sum() == 1, "the first report taken: " + c.summary());
            agent.notify(report(boot, 1, t, agentCert));
            Await.until(WAIT, () -> c.workloadRejected.count(WorkloadRejection.REPLAYED) == 1, "replayed: " + c.summary());

            byte[] good = report(boot, 2, t, agentCert);
            byte[] tampered = good.clone();
            int at = new String(tampered, StandardCharsets.ISO_8859_1).indexOf("cpu=0.5");
            tampered[at + 6] = '1'; // cpu=0.1: looks idle, to draw calls
            agent.notify(tampered);
            Await.until(WAIT, () -> c.workloadRejected.count(WorkloadRejection.BAD_SIGNATURE) == 1, "tampered: " + c.summary());

            agent.notify(new WorkloadReport("hand", boot, 3, t, 0.1, 0.1, 0, 0, 1, -1).encode());
            Await.until(WAIT, () -> c.workloadRejected.count(WorkloadRejection.NOT_SIGNED) == 1, "unsigned: " + c.summary());

            CertificateAuthority other = CertificateAuthority.create("other", Duration.ofDays(3650), NOW);
            agent.notify(report(boot, 4, t, other.issue("agent", List.of("127.0.0.1"), Duration.ofDays(30), NOW)));
            Await.until(WAIT, () -> c.workloadRejected.count(WorkloadRejection.UNTRUSTED_SIGNER) == 1, "untrusted: " + c.summary());

            agent.notify(report(boot, 5, t, ca.issue("agent", List.of("127.0.0.1"), Duration.ofDays(1),
                NOW.minus(Duration.ofDays(3)))));
            Await.until(WAIT, () -> c.workloadRejected.count(WorkloadRejection.EXPIRED_CERTIFICATE) == 1, "expired: " + c.summary());

            agent.notify(report(boot, 6, t, ca.issue("agent", List.of("192.0.2.99"), Duration.ofDays(30), NOW)));
            Await.until(WAIT, () -> c.workloadRejected.count(WorkloadRejection.WRONG_SIGNER) == 1, "another agent's: " + c.summary());

            agent.notify(report(boot, 8, t, agentCert));
            Await.until(WAIT, () -> c.workloadReports.sum() == 2, "a good one after all that: " + c.summary());
            agent.notify(report(boot, 7, t, agentCert));
            Await.until(WAIT, () -> c.workloadRejected.count(WorkloadRejection.OUT_OF_ORDER) == 1, "late: " + c.summary());
            agent.notify(report(boot, 9, t - 120_000, agentCert));
            Await.until(WAIT, () -> c.workloadRejected.count(WorkloadRejection.STALE) == 1, "old: " + c.summary());
            agent.notify(SignedBody.sign("cpu=lots\n".getBytes(StandardCharsets.US_ASCII), agentCert.key(),
                List.of(agentCert.certificate())));
            Await.until(WAIT, () -> c.workloadRejected.count(WorkloadRejection.MALFORMED) == 1, "signed nonsense: " + c.summary());

            long restart = System.currentTimeMillis();
            agent.notify(report(restart, 1, restart, agentCert));
            Await.until(WAIT, () -> c.workloadReports.sum() == 3, "a restarted agent's first report: " + c.summary());
            assertEquals(0, c.subscriptionFailures.sum(), "the subscription lived through it all: " + c.summary());
            assertTrue(gw.proxySummaries().get(0).contains("cpu=0.50"), gw.proxySummaries().toString());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void tlsRefusesAnAgentFromAnotherCaForAnotherHostOrExpired() throws Exception {
        CertificateAuthority other = CertificateAuthority.create("other", Duration.ofDays(3650), NOW);
        CertificateAuthority.Issued foreign = other.issue("agent", List.of("127.0.0.1"), Duration.ofDays(30), NOW);
        CertificateAuthority.Issued elsewhere = ca.issue("agent", List.of("192.0.2.50"), Duration.ofDays(30), NOW);
        CertificateAuthority.Issued expired = ca.issue("agent", List.of("127.0.0.1"), Duration.ofDays(1),
            NOW.minus(Duration.ofDays(3)));
        for (CertificateAuthority.Issued id : List.of(foreign, elsewhere, expired)) {
            TlsMaterial agentTls = new TlsMaterial(List.of(id.certificate()), id.key(), new TrustAnchors(List.of(ca.certificate())));
            try (HandAgent agent = new HandAgent(jdkContext(agentTls));
                 Gateway gw = gateway(agent.port(), material(gatewayCert, ca))) {
                try {
                    agent.acceptSubscription();
                    throw new AssertionError("the gateway subscribed over TLS to " + id.certificate().getSubjectX500Principal());
                } catch (IOException refused) {
                    // the handshake failed on the gateway's side: expected
                }
                Await.until(WAIT, () -> gw.counters().subscriptionFailures.sum() >= 1, gw.counters().summary());
                assertEquals(0, gw.counters().workloadReports.sum());
            }
        }
    }

}
