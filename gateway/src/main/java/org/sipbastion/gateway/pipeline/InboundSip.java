package org.sipbastion.gateway.pipeline;

import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.sipbastion.parser.Limits;
import org.sipbastion.parser.SipMessage;

/**
 * One received message as it travels down the pipeline: the parsed flyweight and where it came from.
 * They come from a fixed pool ({@link InboundPool}); handlers must not keep one past their call:
 * when the pipeline returns, the datagram under it is released and it goes back to the pool, unless
 * the {@link IngressScheduler} queued it, which then does both once the message is handled.
 */
public final class InboundSip {
    final SipMessage message;
    /** The datagram the message was parsed from (its buffer is the message's). */
    DatagramPacket packet;
    /** When it was read, on the pipeline's clock (nanoseconds). */
    long arrivedAt;
    /** Held by the ingress scheduler: whoever passes it on must not release it. */
    boolean queued;
    InetSocketAddress sender;
    private byte[] senderIp;
    /** A valid route token of ours was found on this (in-dialog) request. */
    boolean dialogProof;
    /** ... and this is the proxy it names (null without a valid token). */
    InetSocketAddress dialogProxy;
    /** The sender is a trusted profile of the rules: its identity headers are kept. */
    boolean trustedSource;

    public InboundSip(Limits limits) {
        this.message = new SipMessage(limits);
    }

    public SipMessage message() {
        return message;
    }

    public InetSocketAddress sender() {
        return sender;
    }

    /** A new message from {@code from}: what was learnt about the previous one is forgotten. */
    void sender(InetSocketAddress from) {
        queued = false;
        sender = from;
        senderIp = null;
        dialogProof = false;
        dialogProxy = null;
        trustedSource = false;
    }

    /** The sender's address as text, for the received parameter. */
    byte[] senderIp() {
        if (senderIp == null) {
            senderIp = sender.getAddress().getHostAddress().getBytes(StandardCharsets.US_ASCII);
        }
        return senderIp;
    }
}
