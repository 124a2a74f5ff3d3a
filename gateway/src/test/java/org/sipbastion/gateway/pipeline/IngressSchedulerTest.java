package org.sipbastion.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipbastion.gateway.pipeline.Sip.CLIENT;
import static org.sipbastion.gateway.pipeline.Sip.datagram;
import static org.sipbastion.gateway.pipeline.Sip.request;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.parser.Limits;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.tier1.event.EventAggregator;

/** The ingress queue alone: decoder, scheduler, and a sink that takes {@code cost} of clock per message. */
class IngressSchedulerTest {
    private static final long MS = 1_000_000L;
    private final GatewayCounters counters = new GatewayCounters();
    private final List<String> handled = new ArrayList<>();
    private long now = 1_000 * MS;
    private long cost;
    private InboundPool pool;

    private EmbeddedChannel channel(int capacity, long shedWait) {
        pool = new InboundPool(Limits.DEFAULT, capacity + 1);
        DropRecorder drops = new DropRecorder(new EventAggregator(e -> true, 64, counters.eventsLost), null, Sip.GATEWAY);
        return new EmbeddedChannel(new SipDatagramDecoder(pool, counters, drops, () -> now),
            new IngressScheduler(pool, capacity, shedWait, counters, new StatelessReplier(counters), () -> now,
                m -> m.string(m.callId()).startsWith("known")),
            new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    SipMessage m = ((InboundSip) msg).message();
                    handled.add(m.string(m.callId()));
                    now += cost;
                }
            });
    }

    private static String newCall(String id) {
        return request("INVITE", id, "INVITE");
    }

    private static String bye(String id) {
        return request("BYE", id, "BYE").replace("To: <sip:bob@example.com>", "To: <sip:bob@example.com>;tag=b");
    }

    /** Read without the batch ending (the socket still has more). */
    private void read(EmbeddedChannel ch, String text, long at) {
        now = at;
        ch.writeOneInbound(datagram(text, CLIENT));
    }

    @Test
    void withoutABacklogEverythingIsHandledAtTheEndOfItsBatch() {
        EmbeddedChannel ch = channel(16, 200 * MS);
        ch.writeInbound(datagram(newCall("a"), CLIENT));
        ch.writeInbound(datagram(bye("b"), CLIENT));
        assertEquals(List.of("a", "b"), handled);
        assertEquals(pool.size(), pool.available(), "every message back in the pool, its datagram released");
    }

    @Test
    void theLargestDelayGoesFirstAndANewCallCosts1point75() {
        EmbeddedChannel ch = channel(16, 200 * MS);
        read(ch, newCall("invite-0ms"), 0);
        read(ch, bye("bye-10ms"), 10 * MS);
        read(ch, newCall("invite-10ms"), 10 * MS);
        read(ch, newCall("invite-11ms"), 11 * MS);
        read(ch, bye("bye-12ms"), 12 * MS);
        now = 20 * MS;
        ch.pipeline().fireChannelReadComplete();
        // At 20 ms: invite-0ms 20/1.75 = 11.4 > bye-10ms 10; then bye-10ms 10 > invite-10ms 5.7;
        // bye-12ms 8 > invite-10ms 5.7 > invite-11ms 5.1.
        assertEquals(List.of("invite-0ms", "bye-10ms", "bye-12ms", "invite-10ms", "invite-11ms"), handled);
        assertEquals(pool.size(), pool.available());
    }

    @Test
    void aRequestThatWaitedPastT1IsDiscardedItsRetransmissionIsQueued() {
        EmbeddedChannel ch = channel(16, 10_000 * MS);
        read(ch, newCall("old"), 0);
        read(ch, request("ACK", "old-ack", "ACK"), 0);
        read(ch, bye("fresh"), 400 * MS);
        now = 501 * MS;
        ch.pipeline().fireChannelReadComplete();
        assertEquals(List.of("old-ack", "fresh"), handled, "the ACK has no retransmission to wait for: kept");
        assertEquals(1, counters.ingressExpired.sum());
        assertEquals(pool.size(), pool.available());
    }

    @Test
    void newCallsAreShedWith503WhenTheExpectedWaitIsTooLongInDialogWorkIsNot() {
        EmbeddedChannel ch = channel(1000, 200 * MS);
        cost = 2 * MS; // each message takes 2 ms downstream: the scheduler learns it
        for (int i = 0; i < 100; i++) {
            ch.writeInbound(datagram(bye("warm-" + i), CLIENT));
        }
        handled.clear();
        for (DatagramPacket p; (p = ch.readOutbound()) != null; ) {
            p.release();
        }
        // A backlog of 110 in-dialog messages (~220 ms of work): a new call would wait past 200 ms.
        for (int i = 0; i < 110; i++) {
            read(ch, bye("queued-" + i), now);
        }
        read(ch, newCall("shed-me"), now);
        read(ch, newCall("known-retransmission"), now);
        read(ch, bye("in-dialog"), now);
        ch.flushOutbound();
        DatagramPacket reply = ch.readOutbound();
        String text = reply.content().toString(StandardCharsets.UTF_8);
        reply.release();
        assertTrue(text.startsWith("SIP/2.0 503 "), text);
        java.util.regex.Matcher retryAfter = java.util.regex.Pattern.compile("\r\nRetry-After: (\\d+)\r\n").matcher(text);
        assertTrue(retryAfter.find(), text);
        int seconds = Integer.parseInt(retryAfter.group(1));
        assertTrue(seconds >= 5 && seconds <= 10, text);
        assertEquals(1, counters.shedNewCalls.sum());
        while (handled.size() < 112) {
            ch.pipeline().fireChannelReadComplete();
            ch.runPendingTasks();
        }
        assertTrue(handled.contains("in-dialog"), "queued, not shed");
        assertTrue(handled.contains("known-retransmission"), "a known call's INVITE is never answered 503");
        assertTrue(!handled.contains("shed-me"));
        assertEquals(pool.size(), pool.available());
    }

    @Test
    void aFullQueueSheds503ToNewCallsAndDropsTheRestCounted() {
        EmbeddedChannel ch = channel(3, 10_000 * MS);
        read(ch, bye("1"), 0);
        read(ch, bye("2"), 0);
        read(ch, bye("3"), 0);
        read(ch, bye("dropped"), 0);
        read(ch, newCall("shed"), 0);
        assertEquals(1, counters.ingressOverflow.sum());
        assertEquals(1, counters.shedNewCalls.sum());
        ch.pipeline().fireChannelReadComplete();
        assertEquals(List.of("1", "2", "3"), handled);
        assertEquals(pool.size(), pool.available());
    }

    @Test
    void aBacklogLargerThanABatchIsWorkedOffInTasksBetweenReads() {
        EmbeddedChannel ch = channel(200, 10_000 * MS);
        for (int i = 0; i < 100; i++) {
            read(ch, bye("b" + i), 0);
        }
        IngressScheduler scheduler = ch.pipeline().get(IngressScheduler.class);
        ch.pipeline().fireChannelReadComplete();
        ch.runPendingTasks();
        assertEquals(4, scheduler.turns(), "100 messages in batches of 32, each turn a task of the event loop");
        assertEquals(100, handled.size());
        assertEquals(pool.size(), pool.available());
    }
}
