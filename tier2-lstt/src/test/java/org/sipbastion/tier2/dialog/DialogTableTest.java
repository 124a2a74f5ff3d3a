package org.sipbastion.tier2.dialog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipbastion.parser.Reason;
import org.sipbastion.parser.SipMessage;

class DialogTableTest {
    private static final InetSocketAddress A = new InetSocketAddress("10.0.0.11", 5060);
    private static final InetSocketAddress B = new InetSocketAddress("10.0.0.12", 5070);
    private static final InetSocketAddress V6 = new InetSocketAddress("2001:db8::7", 5060);
    private static final long TTL = 3_600_000;

    @TempDir
    Path dir;

    /** Per-proxy active dialogs as the listener hears them. */
    private final Map<InetSocketAddress, Integer> active = new HashMap<>();
    private final DialogTable.Listener listener = new DialogTable.Listener() {
        @Override
        public void opened(InetSocketAddress proxy) {
            active.merge(proxy, 1, Integer::sum);
        }

        @Override
        public void closed(InetSocketAddress proxy) {
            active.merge(proxy, -1, Integer::sum);
        }
    };

    private static SipMessage parse(String s) {
        SipMessage m = new SipMessage();
        assertEquals(Reason.OK, m.parse(Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII)), s);
        return m;
    }

    static SipMessage request(String method, String callId, int cseq, boolean toTag) {
        return parse(method + " sip:bob@192.0.2.9 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-" + cseq
            + "\r\nMax-Forwards: 70\r\nFrom: <sip:alice@x>;tag=a1\r\nTo: <sip:bob@x>" + (toTag ? ";tag=b1" : "")
            + "\r\nCall-ID: " + callId + "\r\nCSeq: " + cseq + " " + method + "\r\nContent-Length: 0\r\n\r\n");
    }

    static SipMessage response(int status, String method, String callId, int cseq) {
        return parse("SIP/2.0 " + status + " X\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-" + cseq
            + "\r\nFrom: <sip:alice@x>;tag=a1\r\nTo: <sip:bob@x>;tag=b1\r\nCall-ID: " + callId + "\r\nCSeq: " + cseq + " "
            + method + "\r\nContent-Length: 0\r\n\r\n");
    }

    private DialogTable table(Path file, long max) {
        return new DialogTable(file, max, TTL, List.of(A, B, V6), listener);
    }

    @Test
    void aCallGoesThroughItsLifecycleAndLeavesAfterTheLinger() {
        try (DialogTable t = table(null, 100)) {
            assertTrue(t.open(request("INVITE", "c1@x", 1, false), A, 1_000));
            assertFalse(t.open(request("INVITE", "c1@x", 1, false), A, 1_100), "a retransmission is not a new dialog");
            assertSame(A, t.proxyOf(request("CANCEL", "c1@x", 1, false)));
            assertEquals(DialogState.EARLY, t.stateOf(request("ACK", "c1@x", 1, false)));
            assertEquals(1, active.get(A));
            t.response(response(180, "INVITE", "c1@x", 1), 1_200);
            assertEquals(DialogState.EARLY, t.stateOf(request("BYE", "c1@x", 2, true)), "provisional: still early");
            t.response(response(200, "INVITE", "c1@x", 1), 1_300);
            assertEquals(DialogState.CONFIRMED, t.stateOf(request("BYE", "c1@x", 2, true)));
            t.request(request("BYE", "c1@x", 2, true), 60_000);
            assertEquals(DialogState.ENDING, t.stateOf(request("BYE", "c1@x", 2, true)));
            assertEquals(0, active.get(A), "no longer an active call once its BYE is on the way");
            t.response(response(200, "BYE", "c1@x", 2), 60_010);
            assertEquals(DialogState.ENDED, t.stateOf(request("BYE", "c1@x", 2, true)));
            assertSame(A, t.proxyOf(request("BYE", "c1@x", 2, true)), "a retransmitted BYE still finds its proxy");
            assertEquals(0, t.sweepAll(60_010 + DialogTable.LINGER_MILLIS - 1));
            assertEquals(1, t.sweepAll(60_010 + DialogTable.LINGER_MILLIS));
            assertNull(t.proxyOf(request("BYE", "c1@x", 2, true)));
            assertEquals(0, t.size());
            assertEquals(0, active.get(A));
        }
    }

    @Test
    void aFailedInviteEndsAndItsAckStillFindsTheProxy() {
        try (DialogTable t = table(null, 100)) {
            t.open(request("INVITE", "busy@x", 7, false), V6, 0);
            t.response(response(486, "INVITE", "busy@x", 6), 10);
            assertEquals(DialogState.EARLY, t.stateOf(request("ACK", "busy@x", 7, false)), "not this INVITE's answer");
            t.response(response(486, "INVITE", "busy@x", 7), 10);
            assertEquals(DialogState.ENDED, t.stateOf(request("ACK", "busy@x", 7, false)));
            assertSame(V6, t.proxyOf(request("ACK", "busy@x", 7, false)));
            assertEquals(0, active.get(V6));
            // A 200 that crosses the failure (a forked branch answering late) does not revive it.
            t.response(response(200, "INVITE", "busy@x", 7), 20);
            assertEquals(DialogState.ENDED, t.stateOf(request("ACK", "busy@x", 7, false)));
        }
    }

    /** Transparent forwarding: no response ever comes; the ACK confirms, the BYE ends. */
    @Test
    void withoutResponsesTheAckConfirmsAndTheByeEnds() {
        try (DialogTable t = table(null, 100)) {
            t.responsesUnseen(true);
            t.open(request("INVITE", "blind@x", 1, false), A, 0);
            t.request(request("ACK", "blind@x", 1, false), 10);
            assertEquals(DialogState.EARLY, t.stateOf(request("BYE", "blind@x", 2, true)), "an ACK without a To tag answers nothing");
            t.request(request("ACK", "blind@x", 1, true), 20);
            assertEquals(DialogState.CONFIRMED, t.stateOf(request("BYE", "blind@x", 2, true)));
            assertEquals(0, t.sweepAll(DialogTable.EARLY_TTL_MILLIS + 1), "kept past Timer C: a long call's BYE still finds it");
            t.request(request("BYE", "blind@x", 2, true), 600_000);
            assertEquals(DialogState.ENDING, t.stateOf(request("BYE", "blind@x", 2, true)));
            assertEquals(1, t.sweepAll(600_000 + DialogTable.LINGER_MILLIS), "no BYE answer comes: gone after the linger");
            assertEquals(0, active.get(A));
        }
    }

    @Test
    void aCallWhoseByeNeverComesIsRemovedByTheTtlBackstop() {
        try (DialogTable t = table(null, 100)) {
            t.open(request("INVITE", "lost@x", 1, false), B, 0);
            t.response(response(200, "INVITE", "lost@x", 1), 5);
            t.request(request("INVITE", "lost@x", 2, true), 1_000); // a re-INVITE refreshes the backstop
            assertEquals(0, t.sweepAll(1_000 + TTL - 1));
            assertEquals(1, t.sweepAll(1_000 + TTL));
            assertEquals(0, t.count(DialogState.CONFIRMED));
            assertEquals(0, active.get(B));
            // And one that never got any answer, after Timer C.
            t.open(request("INVITE", "silent@x", 1, false), B, 0);
            assertEquals(1, t.sweepAll(DialogTable.EARLY_TTL_MILLIS));
        }
    }

    @Test
    void aRestartKeepsEveryDialogOnItsProxyAndRecountsThem() {
        Path file = dir.resolve("dialogs.cm");
        try (DialogTable t = table(file, 1000)) {
            for (int i = 0; i < 300; i++) {
                t.open(request("INVITE", "r" + i + "@x", 1, false), i % 3 == 0 ? A : i % 3 == 1 ? B : V6, 0);
                if (i % 2 == 0) {
                    t.response(response(200, "INVITE", "r" + i + "@x", 1), 1);
                }
            }
            t.request(request("BYE", "r0@x", 2, true), 2);
        }
        active.clear();
        try (DialogTable t = table(file, 1000)) {
            for (int i = 0; i < 300; i++) {
                assertEquals(i % 3 == 0 ? A : i % 3 == 1 ? B : V6, t.proxyOf(request("BYE", "r" + i + "@x", 2, true)), "r" + i);
            }
            assertEquals(149, t.count(DialogState.CONFIRMED));
            assertEquals(150, t.count(DialogState.EARLY));
            assertEquals(1, t.count(DialogState.ENDING));
            assertEquals(299, active.values().stream().mapToInt(Integer::intValue).sum(), "active calls told again");
            assertEquals(99, active.get(A));
        }
    }

    @Test
    void aProxyNoLongerConfiguredStillGetsItsDialogs() {
        Path file = dir.resolve("dialogs.cm");
        InetSocketAddress gone = new InetSocketAddress("10.9.9.9", 5099);
        try (DialogTable t = new DialogTable(file, 10, TTL, List.of(gone), listener)) {
            t.open(request("INVITE", "g@x", 1, false), gone, 0);
        }
        try (DialogTable t = table(file, 10)) {
            assertEquals(gone, t.proxyOf(request("BYE", "g@x", 2, true)));
        }
    }

    @Test
    void aFullTableRefusesNewDialogsAndCountsThem() {
        try (DialogTable t = table(null, 10)) {
            for (int i = 0; i < 12; i++) {
                t.open(request("INVITE", "f" + i + "@x", 1, false), A, 0);
            }
            assertEquals(10, t.size());
            assertEquals(2, t.full());
            assertNull(t.proxyOf(request("CANCEL", "f11@x", 1, false)));
        }
    }

    @Test
    void countsEqualARecountWhateverTheNetworkRepeatsOrReorders() {
        SplittableRandom random = new SplittableRandom(7);
        try (DialogTable t = table(null, 500)) {
            long now = 0;
            for (int step = 0; step < 20_000; step++) {
                now += random.nextInt(50);
                String id = "x" + random.nextInt(400) + "@x";
                switch (random.nextInt(8)) {
                    case 0 -> t.open(request("INVITE", id, 1, false), random.nextBoolean() ? A : B, now);
                    case 1 -> t.response(response(200, "INVITE", id, 1), now);
                    case 2 -> t.response(response(180 + random.nextInt(2) * 306, "INVITE", id, 1), now);
                    case 3 -> t.request(request("BYE", id, 2, true), now);
                    case 4 -> t.response(response(200, "BYE", id, 2), now);
                    case 5 -> t.request(request("INVITE", id, 3, true), now);
                    case 6 -> t.sweep(now, 1);
                    default -> t.response(response(500, "BYE", id, 2), now);
                }
                for (DialogState s : DialogState.values()) {
                    assertTrue(t.count(s) >= 0);
                }
            }
            long[] counted = new long[DialogState.values().length + 1];
            for (DialogState s : DialogState.values()) {
                counted[s.code] = t.count(s);
            }
            long activeByState = t.count(DialogState.EARLY) + t.count(DialogState.CONFIRMED);
            assertArrayEquals(counted, t.recount());
            assertEquals(activeByState, active.values().stream().mapToInt(Integer::intValue).sum(),
                "per-proxy counts agree with the table");
            assertTrue(active.values().stream().allMatch(n -> n >= 0));
        }
    }

    @Test
    void anUnreadableFileIsMovedAsideAndANewTableStarted() throws Exception {
        Path file = dir.resolve("dialogs.cm");
        java.nio.file.Files.write(file, "not a dialog table at all".repeat(200).getBytes(StandardCharsets.US_ASCII));
        try (DialogTable t = table(file, 100)) {
            assertTrue(t.notice() != null && t.notice().contains("could not be read"), t.notice());
            assertTrue(t.open(request("INVITE", "after@x", 1, false), A, 0), "the new table works");
        }
        try (var listing = java.nio.file.Files.list(dir)) {
            assertEquals(1, listing.filter(p -> p.getFileName().toString().startsWith("dialogs.cm.unreadable-")).count(),
                "the unreadable file is kept for a look, not deleted");
        }
        try (DialogTable t = table(file, 100)) {
            assertSame(A, t.proxyOf(request("BYE", "after@x", 2, true)));
            assertNull(t.notice(), "a clean reopen says nothing");
        }
    }

    @Test
    void aTableMadeForFewerRowsIsCopiedIntoOneOfTheNewSize() {
        Path file = dir.resolve("dialogs.cm");
        try (DialogTable t = table(file, 50)) {
            for (int i = 0; i < 50; i++) {
                t.open(request("INVITE", "grow-" + i + "@x", 1, false), B, 0);
            }
            assertEquals(50, t.size());
        }
        try (DialogTable t = table(file, 5_000)) {
            assertTrue(t.notice() != null && t.notice().contains("50 dialogs kept"), t.notice());
            for (int i = 0; i < 50; i++) {
                assertSame(B, t.proxyOf(request("BYE", "grow-" + i + "@x", 2, true)));
            }
            for (int i = 0; i < 2_000; i++) {
                assertTrue(t.open(request("INVITE", "more-" + i + "@x", 1, false), A, 0), "room for " + i);
            }
            assertEquals(2_050, t.size());
        }
    }

    @Test
    void anInviteTriedAgainAfterAChallengeIsACallAgain() {
        try (DialogTable t = table(null, 100)) {
            t.open(request("INVITE", "auth@x", 1, false), A, 0);
            t.response(response(407, "INVITE", "auth@x", 1), 5);
            assertEquals(DialogState.ENDED, t.stateOf(request("ACK", "auth@x", 1, false)));
            assertEquals(0, active.get(A));
            assertFalse(t.open(request("INVITE", "auth@x", 1, false), A, 6), "a late copy of the challenged INVITE");
            assertTrue(t.open(request("INVITE", "auth@x", 2, false), A, 10), "with credentials, CSeq 2");
            assertEquals(DialogState.EARLY, t.stateOf(request("CANCEL", "auth@x", 2, false)));
            assertEquals(1, active.get(A), "counted again");
            t.response(response(200, "INVITE", "auth@x", 2), 20);
            assertEquals(DialogState.CONFIRMED, t.stateOf(request("BYE", "auth@x", 3, true)));
            assertEquals(0, t.sweepAll(20 + DialogTable.LINGER_MILLIS + 1), "not swept as the ended attempt");
            assertArrayEquals(new long[] {0, 0, 1, 0, 0}, t.recount());
        }
    }

    @Test
    void aCallWhoseProxyWentDownFollowsItsNewProxy() {
        try (DialogTable t = table(null, 100)) {
            t.open(request("INVITE", "moved@x", 1, false), A, 0);
            assertTrue(t.open(request("INVITE", "moved@x", 1, false), B, 1), "the retransmission went elsewhere");
            assertSame(B, t.proxyOf(request("CANCEL", "moved@x", 1, false)));
            assertEquals(0, active.get(A));
            assertEquals(1, active.get(B));
        }
    }

    @Test
    void oneGatewayPerTableFile() {
        Path file = dir.resolve("dialogs.cm");
        try (DialogTable t = table(file, 100)) {
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> table(file, 100));
            assertTrue(e.getMessage().contains("in use by another gateway"), e.getMessage());
            assertTrue(t.open(request("INVITE", "still@x", 1, false), A, 0), "the first one is untouched");
        }
        try (DialogTable again = table(file, 100)) {
            assertSame(A, again.proxyOf(request("BYE", "still@x", 2, true)), "free once the first one closed");
        }
    }

    @Test
    void aChallengedByeDoesNotEndTheDialog() {
        try (DialogTable t = table(null, 100)) {
            t.open(request("INVITE", "bye-auth@x", 1, false), A, 0);
            t.response(response(200, "INVITE", "bye-auth@x", 1), 1);
            t.request(request("BYE", "bye-auth@x", 2, true), 2);
            t.response(response(407, "BYE", "bye-auth@x", 2), 3);
            assertEquals(DialogState.ENDING, t.stateOf(request("BYE", "bye-auth@x", 3, true)));
            t.response(response(200, "BYE", "bye-auth@x", 3), 4);
            assertEquals(DialogState.ENDED, t.stateOf(request("BYE", "bye-auth@x", 3, true)));
        }
    }
}
