package org.sipbastion.tier1.sanity;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipbastion.parser.Corpus;
import org.sipbastion.parser.Reason;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.testkit.ExternalTool;
import org.sipbastion.testkit.KamailioSanityOracle;
import org.sipbastion.testkit.RunDirs;

/**
 * The edge is at least as strict as Kamailio's sanity module with its default checks: every torture
 * message that a real Kamailio 5.6 rejects (sanity_check() or its core parser) is rejected by our
 * parser or by tier 1's policy. The table of both verdicts is printed for docs/parser.md.
 */
class KamailioSanitySupersetTest {
    @Test
    void weRejectEverythingKamailioRejects() {
        ExternalTool.require("kamailio");
        List<String> missed = new ArrayList<>();
        int kamailioRejects = 0;
        int weRejectMore = 0;
        StringBuilder table = new StringBuilder("message | kamailio | sip bastion\n");
        try (KamailioSanityOracle kamailio = KamailioSanityOracle.start(RunDirs.create("kamailio-sanity"))) {
            for (Corpus.Entry e : Corpus.all()) {
                KamailioSanityOracle.Verdict k = kamailio.judge(e.bytes(), Duration.ofSeconds(5));
                String ours = ourVerdict(e.bytes());
                boolean weReject = !ours.equals("accept");
                table.append(e.name()).append(" | ").append(k.outcome()).append(" | ").append(ours).append('\n');
                if (k.rejected()) {
                    kamailioRejects++;
                    if (!weReject) {
                        missed.add(e.name() + " (kamailio: " + k.outcome() + " " + k.lines() + ")");
                    }
                } else if (weReject) {
                    weRejectMore++;
                }
            }
        }
        System.out.println(table);
        System.out.println("kamailio rejects " + kamailioRejects + "; we also reject all of them and " + weRejectMore + " more");
        assertTrue(kamailioRejects > 10, "the oracle rejected suspiciously little: " + kamailioRejects);
        assertTrue(missed.isEmpty(), "Kamailio rejects but we accept: " + missed);
    }

    private static String ourVerdict(byte[] bytes) {
        SipMessage m = new SipMessage();
        Reason r = m.parse(Unpooled.wrappedBuffer(bytes));
        if (r != Reason.OK) {
            return "invalid " + r;
        }
        PolicyViolation v = new SanityPolicy().check(m);
        return v == PolicyViolation.NONE ? "accept" : "refused " + v;
    }
}
