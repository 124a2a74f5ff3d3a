package org.sipbastion.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipbastion.crypto.pki.Pem;
import org.sipbastion.crypto.pki.TrustAnchors;

class PkiCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void initMakesEveryRoleAndRefusesToReplaceTheCa() throws Exception {
        Path pki = dir.resolve("pki");
        assertEquals(0, run("pki", "init", pki.toString(), "--name", "agent=p1.example.net,192.0.2.5",
            "--name", "agent-p2=p2.example.net"));
        for (String f : List.of("ca.crt", "ca.key", "gateway.crt", "gateway.key", "agent.crt", "agent.key", "console.crt",
            "console.key", "agent-p2.crt", "agent-p2.key")) {
            assertTrue(Files.isRegularFile(pki.resolve(f)), f + " in " + out);
        }
        TrustAnchors trust = TrustAnchors.load(pki.resolve("ca.crt"));
        X509Certificate agent = Pem.certificates(pki.resolve("agent.crt")).get(0);
        trust.check(List.of(agent), Instant.now());
        assertTrue(TrustAnchors.names(agent, "p1.example.net") && TrustAnchors.names(agent, "192.0.2.5"));
        X509Certificate gateway = Pem.certificates(pki.resolve("gateway.crt")).get(0);
        assertTrue(TrustAnchors.names(gateway, "localhost") && TrustAnchors.names(gateway, "127.0.0.1"),
            "by default the local names");

        assertEquals(1, run("pki", "init", pki.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("a CA is already there"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void usageErrors() {
        assertEquals(2, run("pki"));
        assertEquals(2, run("pki", "make", dir.toString()));
        assertEquals(2, run("pki", "init"));
        assertEquals(2, run("pki", "init", dir.resolve("a").toString(), "--name", "agent"));
        assertEquals(2, run("pki", "init", dir.resolve("b").toString(), "--name", "Bad Role=x.test"));
        assertEquals(2, run("pki", "init", dir.resolve("c").toString(), "--name", "agent=not a name"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("not a host name or IP address"), err.toString(StandardCharsets.UTF_8));
        assertEquals(0, run("pki", "--help"));
    }
}
