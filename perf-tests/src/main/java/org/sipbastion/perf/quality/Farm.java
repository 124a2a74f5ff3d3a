package org.sipbastion.perf.quality;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * The proxies behind the gateway with the registrar and the called parties behind them, as one
 * simple answering machine: it reads what the gateway forwarded and answers as a UAS would (a
 * challenge before a registration, ringing then an answer or busy, 481 for a BYE of no dialog, 403
 * for wrong credentials), and hangs up some calls itself, so the gateway also forwards requests
 * from the inside.
 */
final class Farm {
    /** Share of answered calls the callee ends (the BYE then comes from the proxy). */
    static final double CALLEE_HANGS_UP = 0.3;
    private static final double BUSY = 0.05;
    private static final double RETRANSMIT_200 = 0.02;

    private static final class Pending {
        final SipText invite;
        final InetSocketAddress proxy;
        final String toTag;
        boolean finalSent;

        Pending(SipText invite, InetSocketAddress proxy, String toTag) {
            this.invite = invite;
            this.proxy = proxy;
            this.toTag = toTag;
        }
    }

    private final Sim sim;
    private final Edge edge;
    private final Ledger ledger;
    private final Map<String, Pending> invites = new HashMap<>();
    private final Map<String, Pending> dialogs = new HashMap<>();
    private long tags;
    private long nonces;

    Farm(Sim sim, Edge edge, Ledger ledger) {
        this.sim = sim;
        this.edge = edge;
        this.ledger = ledger;
    }

    /** The password check of the simulated registrar: a phone knows its secret, a guesser does not. */
    static String digest(String user) {
        return Integer.toHexString(("secret-of-" + user).hashCode());
    }

    void receive(InetSocketAddress proxy, byte[] datagram) {
        SipText m = SipText.parse(datagram);
        if (m.isResponse()) {
            return; // a phone's answer to the callee's BYE: nothing more to do
        }
        String method = m.method();
        String callId = m.callId();
        boolean inDialog = SipText.param(m.value("to"), "tag") != null;
        switch (method) {
            case "INVITE" -> {
                if (inDialog) {
                    respond(proxy, m, 200, "OK", null, sim.uniform() * 20 * Sim.MS);
                } else {
                    invite(proxy, m, callId);
                }
            }
            case "ACK" -> {
                Pending p = invites.get(callId);
                if (p != null && p.finalSent) {
                    invites.remove(callId);
                }
            }
            case "CANCEL" -> {
                Pending p = invites.get(callId);
                respond(proxy, m, p == null ? 481 : 200, p == null ? "Call/Transaction Does Not Exist" : "OK", null, Sim.MS);
                if (p != null && !p.finalSent) {
                    p.finalSent = true;
                    respond(proxy, p.invite, 487, "Request Terminated", p.toTag, 2 * Sim.MS);
                }
            }
            case "BYE" -> {
                boolean known = dialogs.remove(callId) != null;
                respond(proxy, m, known ? 200 : 481, known ? "OK" : "Call/Transaction Does Not Exist", null,
                    sim.exponential(20 * Sim.MS));
            }
            case "REGISTER" -> register(proxy, m);
            default -> respond(proxy, m, 200, "OK", null, Sim.MS);
        }
    }

    private void invite(InetSocketAddress proxy, SipText m, String callId) {
        Pending existing = invites.get(callId);
        if (existing != null) {
            // A retransmission: the proxy's transaction answers with its last response.
            respond(proxy, m, 100, "Trying", null, Sim.MS);
            return;
        }
        String user = user(m.requestUri());
        if (user.isEmpty() || !Character.isDigit(user.charAt(0)) && !user.startsWith("+")) {
            respond(proxy, m, 404, "Not Found", "t" + tags++, 2 * Sim.MS);
            return;
        }
        Pending p = new Pending(m, proxy, "t" + tags++);
        invites.put(callId, p);
        respond(proxy, m, 100, "Trying", null, Sim.MS);
        respond(proxy, m, 180, "Ringing", p.toTag, 60 * Sim.MS);
        long ring = Math.min(sim.exponential(3 * Sim.S), 30 * Sim.S);
        boolean busy = sim.chance(BUSY);
        boolean twice = sim.chance(RETRANSMIT_200);
        sim.after(ring, () -> {
            if (p.finalSent) {
                return;
            }
            p.finalSent = true;
            if (busy) {
                respondNow(proxy, m, 486, "Busy Here", p.toTag);
                return;
            }
            dialogs.put(callId, p);
            respondNow(proxy, m, 200, "OK", p.toTag);
            if (twice) {
                // The ACK was slow or lost: the UAS's 2xx retransmission (RFC 3261 13.3.1.4).
                sim.after(500 * Sim.MS, () -> respondNow(proxy, m, 200, "OK", p.toTag));
            }
        });
    }

    private void register(InetSocketAddress proxy, SipText m) {
        String auth = m.value("authorization");
        if (auth == null) {
            respond(proxy, m, 401, "Unauthorized", "t" + tags++, 2 * Sim.MS,
                "WWW-Authenticate: Digest realm=\"example.net\", nonce=\"n" + nonces++ + "\", algorithm=MD5");
            return;
        }
        // Digest username="...", realm="...": parameters after the scheme, comma-separated.
        String params = auth.replaceFirst("^\\s*[Dd]igest\\s+", "").replace(",", ";");
        String user = strip(SipText.param(params, "username"));
        String response = strip(SipText.param(params, "response"));
        boolean good = user != null && digest(user).equals(response);
        respond(proxy, m, good ? 200 : 403, good ? "OK" : "Forbidden", "t" + tags++, 2 * Sim.MS);
    }

    /** The callee ends an answered call: a BYE from the proxy that took the INVITE, to the caller's contact. */
    void hangUp(String callId) {
        Pending p = dialogs.remove(callId);
        if (p == null) {
            return;
        }
        SipText invite = p.invite;
        InetSocketAddress proxy = p.proxy;
        String toTag = p.toTag;
        String contact = SipText.uri(invite.value("contact"));
        String bye = "BYE " + contact + " SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP " + proxy.getAddress().getHostAddress() + ":5060;branch=z9hG4bKfarm" + tags++ + "\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: " + invite.value("to") + ";tag=" + toTag + "\r\n"
            + "To: " + invite.value("from") + "\r\n"
            + "Call-ID: " + callId + "\r\n"
            + "CSeq: 1 BYE\r\n"
            + "Content-Length: 0\r\n\r\n";
        send(proxy, callId, SipText.bytes(bye));
    }

    private void respond(InetSocketAddress proxy, SipText req, int code, String reason, String toTag, double delay,
                         String... extra) {
        sim.after((long) delay, () -> respondNow(proxy, req, code, reason, toTag, extra));
    }

    private void respondNow(InetSocketAddress proxy, SipText req, int code, String reason, String toTag,
                            String... extra) {
        StringBuilder b = new StringBuilder(512).append("SIP/2.0 ").append(code).append(' ').append(reason).append("\r\n");
        for (SipText.Header h : req.all("via")) {
            b.append(h.line()).append("\r\n");
        }
        boolean dialogCreating = "INVITE".equals(req.method()) && code > 100 && code < 300;
        if (dialogCreating) {
            for (SipText.Header h : req.all("record-route")) {
                b.append(h.line()).append("\r\n");
            }
        }
        b.append("From: ").append(req.value("from")).append("\r\n");
        String to = req.value("to");
        b.append("To: ").append(to);
        if (toTag != null && SipText.param(to, "tag") == null) {
            b.append(";tag=").append(toTag);
        }
        b.append("\r\n");
        b.append("Call-ID: ").append(req.callId()).append("\r\n");
        b.append("CSeq: ").append(req.value("cseq")).append("\r\n");
        if (dialogCreating) {
            b.append("Contact: <sip:").append(user(req.requestUri())).append('@')
                .append(proxy.getAddress().getHostAddress()).append(":5080>\r\n");
        }
        for (String e : extra) {
            b.append(e).append("\r\n");
        }
        b.append("Content-Length: 0\r\n\r\n");
        send(proxy, req.callId(), SipText.bytes(b.toString()));
    }

    private void send(InetSocketAddress proxy, String callId, byte[] datagram) {
        String dropped = edge.offer(proxy, datagram);
        ledger.fromFarm(callId, dropped);
    }

    static String user(String uri) {
        int colon = uri.indexOf(':');
        int at = uri.indexOf('@');
        return colon >= 0 && at > colon ? uri.substring(colon + 1, at) : "";
    }

    private static String strip(String quoted) {
        return quoted == null ? null : quoted.replace("\"", "").trim();
    }
}
