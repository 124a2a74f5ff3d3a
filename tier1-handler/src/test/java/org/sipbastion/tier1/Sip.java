package org.sipbastion.tier1;

import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import org.sipbastion.parser.Reason;
import org.sipbastion.parser.SipMessage;

/** Parsed messages of one call for detector tests: what a UAC at {@code user} sends and receives. */
public final class Sip {
    private final String callId;
    private final String user;
    private final String fromTag;

    public Sip(String callId, String user, String fromTag) {
        this.callId = callId;
        this.user = user;
        this.fromTag = fromTag;
    }

    public static Sip call(String callId) {
        return new Sip(callId, "alice", "ftag-" + Integer.toHexString(callId.hashCode()));
    }

    public String fromTag() {
        return fromTag;
    }

    /** Branches are tokens: a Call-ID's '@' may not appear in one. */
    private String tx() {
        return Integer.toHexString(callId.hashCode());
    }

    public SipMessage invite(int cseq, String toTag) {
        return request("INVITE", cseq, toTag, "z9hG4bK-inv-" + tx() + "-" + cseq);
    }

    public SipMessage ack(int cseq, String toTag, boolean forA2xx) {
        // A 2xx ACK is a new transaction (new branch); a non-2xx ACK reuses the INVITE's branch.
        String branch = forA2xx ? "z9hG4bK-ack-" + tx() + "-" + cseq + "-" + toTag : "z9hG4bK-inv-" + tx() + "-" + cseq;
        return request("ACK", cseq, toTag, branch);
    }

    public SipMessage bye(int cseq, String toTag) {
        return request("BYE", cseq, toTag, "z9hG4bK-bye-" + tx() + "-" + cseq);
    }

    public SipMessage cancel(int cseq) {
        return request("CANCEL", cseq, null, "z9hG4bK-inv-" + tx() + "-" + cseq);
    }

    public SipMessage options(int cseq) {
        return request("OPTIONS", cseq, null, "z9hG4bK-opt-" + tx() + "-" + cseq);
    }

    public SipMessage register(int cseq) {
        return request("REGISTER", cseq, null, "z9hG4bK-reg-" + tx() + "-" + cseq);
    }

    public SipMessage request(String method, int cseq, String toTag, String branch) {
        return parse(method + " sip:bob@example.com SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=" + branch + ";rport\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: <sip:" + user + "@example.com>;tag=" + fromTag + "\r\n"
            + "To: <sip:bob@example.com>" + (toTag == null ? "" : ";tag=" + toTag) + "\r\n"
            + "Call-ID: " + callId + "\r\n"
            + "CSeq: " + cseq + " " + method + "\r\n"
            + "Content-Length: 0\r\n\r\n");
    }

    public SipMessage response(int code, String method, int cseq, String toTag) {
        return parse("SIP/2.0 " + code + " Whatever\r\n"
            + "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-x;rport=5060\r\n"
            + "From: <sip:" + user + "@example.com>;tag=" + fromTag + "\r\n"
            + "To: <sip:bob@example.com>" + (toTag == null ? "" : ";tag=" + toTag) + "\r\n"
            + "Call-ID: " + callId + "\r\n"
            + "CSeq: " + cseq + " " + method + "\r\n"
            + "Content-Length: 0\r\n\r\n");
    }

    public static SipMessage parse(String text) {
        SipMessage m = new SipMessage();
        Reason r = m.parse(Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.US_ASCII)));
        if (r != Reason.OK) {
            throw new AssertionError(r + ":\n" + text);
        }
        return m;
    }

    public static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
