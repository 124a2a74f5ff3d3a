package org.sipbastion.gateway.pipeline;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.sipbastion.parser.Limits;
import org.sipbastion.parser.SipMessage;

/**
 * One received message as it travels down the pipeline: the parsed flyweight and where it came from.
 * The decoder owns one per channel and reuses it; handlers must not keep it past their call, since
 * the datagram under it is released when the pipeline returns.
 */
public final class InboundSip {
    final SipMessage message;
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
