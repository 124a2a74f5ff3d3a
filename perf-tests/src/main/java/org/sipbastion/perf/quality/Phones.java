package org.sipbastion.perf.quality;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The legitimate side of the edge: phones on their own addresses, an office of phones behind one
 * NAT address, and a PBX trunk. They register and refresh on fixed intervals, keep their NAT
 * bindings open, ping, and make calls (Poisson arrivals, 60 s mean hold) that ring, are answered,
 * busy or cancelled, get re-INVITEd, are hung up by either side, and sometimes retransmit: all the
 * normal patterns a detector must not mistake for an attack.
 */
final class Phones {
    /** The traffic mix; defaults give about 190 messages/s at 20 calls/s. */
    record Mix(double callsPerSecond, int phones, int officePhones, double officeShare, double trunkShare,
               long refreshNanos, long keepAliveNanos, long trunkPingNanos) {
        static final Mix DEFAULT = new Mix(20, 2_000, 300, 0.25, 0.15, 600 * Sim.S, 30 * Sim.S, 10 * Sim.S);
    }

    static final InetSocketAddress OFFICE_NAT = new InetSocketAddress("192.0.2.50", 0);
    static final InetSocketAddress TRUNK = new InetSocketAddress("192.0.2.60", 5060);
    private static final double RETRANSMIT_INVITE = 0.02;
    private static final double RETRANSMIT_BYE = 0.01;
    private static final double CANCEL = 0.05;
    private static final double REINVITE = 0.10;
    private static final long HOLD_MEAN = 60 * Sim.S;
    private static final String[] AGENTS = {"Yealink SIP-T46S 66.86.0.15", "Grandstream GXP2170 1.0.11.23",
        "Linphone/5.2.0 (belle-sip/5.2.0)", "Zoiper rv2.10.19.2", "Cisco-CP8845/14.1.1"};
    private static final String SDP = "v=0\r\no=- 3942 3942 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
        + "m=audio 40000 RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n";

    /** One SIP endpoint: an address, a user, a registration. */
    final class Phone {
        final InetSocketAddress address;
        final String user;
        final String agent;
        final String registrationId;
        final String registrationTag;
        int registerSeq;

        Phone(InetSocketAddress address, String user, String agent) {
            this.address = address;
            this.user = user;
            this.agent = agent;
            this.registrationId = "reg-" + user + "-" + Integer.toHexString(address.hashCode()) + "@" + host();
            this.registrationTag = "r" + Integer.toHexString(user.hashCode());
            ledger.normalCall(registrationId);
        }

        String host() {
            return address.getAddress().getHostAddress();
        }

        String via(String branch) {
            return "Via: SIP/2.0/UDP " + host() + ":" + address.getPort() + ";branch=" + branch + ";rport\r\n";
        }

        String contact() {
            return "<sip:" + user + "@" + host() + ":" + address.getPort() + ">";
        }
    }

    /** One call from a phone, as its UAC sees it. */
    private final class Call {
        final Phone caller;
        final String callId;
        final String fromTag;
        final String requestUri;
        final String to;
        final String inviteBranch;
        final long hold;
        final boolean cancel;
        final boolean reInvite;
        final boolean calleeHangsUp;
        int cseq = 1;
        String toTag;
        String remoteTarget;
        List<String> route = List.of();
        boolean answered;
        boolean cancelled;
        boolean over;

        Call(Phone caller) {
            this.caller = caller;
            this.callId = "c" + calls++ + "-" + Long.toHexString(sim.random.nextLong()) + "@" + caller.host();
            this.fromTag = Long.toHexString(sim.random.nextLong());
            String callee = String.valueOf(4_930_000_000L + sim.below(1_000_000));
            this.requestUri = "sip:" + callee + "@sip.example.net";
            this.to = "<sip:" + callee + "@sip.example.net>";
            this.inviteBranch = branch();
            this.hold = Math.max(Sim.S, sim.exponential(HOLD_MEAN));
            this.cancel = sim.chance(CANCEL);
            this.reInvite = sim.chance(REINVITE);
            this.calleeHangsUp = sim.chance(Farm.CALLEE_HANGS_UP);
        }

        String from() {
            return "\"" + caller.user + "\" <sip:" + caller.user + "@example.net>;tag=" + fromTag;
        }

        String toWithTag() {
            return toTag == null ? to : to + ";tag=" + toTag;
        }
    }

    private final Sim sim;
    private final Edge edge;
    private final Ledger ledger;
    private final Mix mix;
    private Farm farm;
    private final List<Phone> single = new ArrayList<>();
    private final List<Phone> office = new ArrayList<>();
    private final List<Phone> trunkLines = new ArrayList<>();
    private final Map<InetSocketAddress, Phone> byAddress = new HashMap<>();
    private final Map<String, Call> active = new HashMap<>();
    private long calls;
    private long branches;

    Phones(Sim sim, Edge edge, Ledger ledger, Mix mix) {
        this.sim = sim;
        this.edge = edge;
        this.ledger = ledger;
        this.mix = mix;
        for (int i = 0; i < mix.phones(); i++) {
            int host = i + 1;
            InetSocketAddress a = new InetSocketAddress("198.18." + (host >>> 8) + "." + (host & 0xFF), 5060);
            single.add(add(a, "1" + (10_000 + i), AGENTS[i % AGENTS.length]));
        }
        for (int i = 0; i < mix.officePhones(); i++) {
            InetSocketAddress a = new InetSocketAddress(OFFICE_NAT.getAddress(), 20_000 + i);
            office.add(add(a, "2" + (10_000 + i), AGENTS[i % 2]));
        }
        // A PBX places calls for many extensions from one address and one port.
        Phone pbx = add(TRUNK, "pbx", "Asterisk PBX 18.9.0");
        trunkLines.add(pbx);
    }

    private Phone add(InetSocketAddress a, String user, String agent) {
        Phone p = new Phone(a, user, agent);
        byAddress.put(a, p);
        return p;
    }

    void connect(Farm f) {
        this.farm = f;
    }

    /** Starts every phone's periodic work at a random phase, and the call arrivals. */
    void start() {
        List<Phone> registering = new ArrayList<>(single);
        registering.addAll(office);
        for (Phone p : registering) {
            long phase = (long) (sim.uniform() * mix.refreshNanos());
            sim.after(phase, () -> register(p, true));
        }
        for (Phone p : office) {
            long phase = (long) (sim.uniform() * mix.keepAliveNanos());
            sim.after(phase, () -> keepAlive(p));
        }
        Phone pbx = trunkLines.get(0);
        sim.after((long) (sim.uniform() * mix.trunkPingNanos()), () -> ping(pbx));
        sim.after(sim.exponential(Sim.S / mix.callsPerSecond()), this::nextCall);
    }

    private void nextCall() {
        double r = sim.uniform();
        Phone caller = r < mix.trunkShare() ? trunkLines.get(0)
            : r < mix.trunkShare() + mix.officeShare() ? office.get(sim.below(office.size()))
            : single.get(sim.below(single.size()));
        invite(new Call(caller));
        sim.after(sim.exponential(Sim.S / mix.callsPerSecond()), this::nextCall);
    }

    // ---- registrations, keep-alives, pings: the fixed-interval machines

    private void register(Phone p, boolean reschedule) {
        p.registerSeq++;
        send(p, p.registrationId, "REGISTER", registerText(p, null));
        if (reschedule) {
            sim.after(mix.refreshNanos(), () -> register(p, true));
        }
    }

    private String registerText(Phone p, String nonce) {
        StringBuilder b = new StringBuilder(512);
        b.append("REGISTER sip:example.net SIP/2.0\r\n").append(p.via(branch())).append("Max-Forwards: 70\r\n")
            .append("From: <sip:").append(p.user).append("@example.net>;tag=").append(p.registrationTag).append("\r\n")
            .append("To: <sip:").append(p.user).append("@example.net>\r\n")
            .append("Call-ID: ").append(p.registrationId).append("\r\n")
            .append("CSeq: ").append(p.registerSeq).append(" REGISTER\r\n")
            .append("Contact: ").append(p.contact()).append(";expires=").append(mix.refreshNanos() / Sim.S).append("\r\n")
            .append("User-Agent: ").append(p.agent).append("\r\n");
        if (nonce != null) {
            b.append("Authorization: Digest username=\"").append(p.user).append("\", realm=\"example.net\", nonce=\"")
                .append(nonce).append("\", uri=\"sip:example.net\", response=\"").append(Farm.digest(p.user))
                .append("\", algorithm=MD5\r\n");
        }
        return b.append("Content-Length: 0\r\n\r\n").toString();
    }

    private void keepAlive(Phone p) {
        // A NAT binding kept open by a double CRLF (RFC 5626 section 4.4.1): not SIP, never judged.
        edge.offer(p.address, new byte[] {'\r', '\n', '\r', '\n'});
        sim.after(mix.keepAliveNanos(), () -> keepAlive(p));
    }

    private void ping(Phone pbx) {
        String id = "ping-" + branches + "@" + pbx.host();
        ledger.normalCall(id);
        String text = "OPTIONS sip:" + Edge.PUBLIC.getAddress().getHostAddress() + ":5060 SIP/2.0\r\n" + pbx.via(branch())
            + "Max-Forwards: 70\r\nFrom: <sip:pbx@trunk.example.com>;tag=" + branches + "\r\n"
            + "To: <sip:" + Edge.PUBLIC.getAddress().getHostAddress() + ">\r\nCall-ID: " + id + "\r\nCSeq: 1 OPTIONS\r\n"
            + "User-Agent: " + pbx.agent + "\r\nContent-Length: 0\r\n\r\n";
        send(pbx, id, "OPTIONS", text);
        sim.after(mix.trunkPingNanos(), () -> ping(pbx));
    }

    // ---- calls

    private void invite(Call c) {
        ledger.normalCall(c.callId);
        active.put(c.callId, c);
        String text = inviteText(c, c.requestUri, c.inviteBranch, c.cseq, c.to, List.of());
        send(c.caller, c.callId, "INVITE", text);
        if (sim.chance(RETRANSMIT_INVITE)) {
            sim.after(500 * Sim.MS, () -> {
                if (!c.answered && !c.over) {
                    send(c.caller, c.callId, "INVITE", text);
                }
            });
        }
        if (c.cancel) {
            sim.after(Sim.S + (long) (sim.uniform() * 6 * Sim.S), () -> {
                if (!c.answered && !c.over) {
                    c.cancelled = true;
                    send(c.caller, c.callId, "CANCEL", "CANCEL " + c.requestUri + " SIP/2.0\r\n" + c.caller.via(c.inviteBranch)
                        + "Max-Forwards: 70\r\nFrom: " + c.from() + "\r\nTo: " + c.to + "\r\nCall-ID: " + c.callId
                        + "\r\nCSeq: " + c.cseq + " CANCEL\r\nContent-Length: 0\r\n\r\n");
                }
            });
        }
    }

    private String inviteText(Call c, String uri, String branch, int cseq, String to, List<String> route) {
        String sdp = String.format(SDP, c.caller.host(), c.caller.host());
        StringBuilder b = new StringBuilder(900);
        b.append("INVITE ").append(uri).append(" SIP/2.0\r\n").append(c.caller.via(branch)).append("Max-Forwards: 70\r\n");
        for (String r : route) {
            b.append("Route: ").append(r).append("\r\n");
        }
        b.append("From: ").append(c.from()).append("\r\nTo: ").append(to).append("\r\nCall-ID: ").append(c.callId)
            .append("\r\nCSeq: ").append(cseq).append(" INVITE\r\nContact: ").append(c.caller.contact())
            .append("\r\nUser-Agent: ").append(c.caller.agent)
            .append("\r\nAllow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\nContent-Type: application/sdp\r\nContent-Length: ")
            .append(sdp.length()).append("\r\n\r\n").append(sdp);
        return b.toString();
    }

    private String inDialog(Call c, String method, int cseq, String branch) {
        StringBuilder b = new StringBuilder(512);
        b.append(method).append(' ').append(c.remoteTarget).append(" SIP/2.0\r\n").append(c.caller.via(branch))
            .append("Max-Forwards: 70\r\n");
        for (String r : c.route) {
            b.append("Route: ").append(r).append("\r\n");
        }
        b.append("From: ").append(c.from()).append("\r\nTo: ").append(c.toWithTag()).append("\r\nCall-ID: ")
            .append(c.callId).append("\r\nCSeq: ").append(cseq).append(' ').append(method)
            .append("\r\nContent-Length: 0\r\n\r\n");
        return b.toString();
    }

    /** A datagram the gateway sent to {@code to}: an answer for a phone, or the callee's BYE. */
    void receive(InetSocketAddress to, byte[] datagram) {
        Phone phone = byAddress.get(to);
        if (phone == null) {
            return;
        }
        SipText m = SipText.parse(datagram);
        if (!m.isResponse()) {
            if ("BYE".equals(m.method())) {
                answerBye(phone, m);
            }
            return;
        }
        String method = m.cseqMethod();
        if (method.equals("REGISTER")) {
            if (m.status() == 401) {
                String nonce = SipText.param(m.value("www-authenticate").replace(",", ";"), "nonce");
                phone.registerSeq++;
                send(phone, phone.registrationId, "REGISTER", registerText(phone, nonce == null ? "" : nonce.replace("\"", "")));
            }
            return;
        }
        Call c = active.get(m.callId());
        if (c == null || !method.equals("INVITE")) {
            return;
        }
        int status = m.status();
        int cseq = Integer.parseInt(m.value("cseq").trim().split("\\s+")[0]);
        if (status < 200) {
            return;
        }
        if (cseq > 1) {
            // The answer to our re-INVITE: acknowledge it.
            if (status < 300) {
                send(c.caller, c.callId, "ACK", inDialog(c, "ACK", cseq, branch()));
            }
            return;
        }
        c.toTag = SipText.param(m.value("to"), "tag");
        if (status >= 300) {
            // Busy, or our CANCEL took effect: the ACK of a non-2xx shares the INVITE's branch.
            send(c.caller, c.callId, "ACK", "ACK " + c.requestUri + " SIP/2.0\r\n" + c.caller.via(c.inviteBranch)
                + "Max-Forwards: 70\r\nFrom: " + c.from() + "\r\nTo: " + c.toWithTag() + "\r\nCall-ID: " + c.callId
                + "\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n");
            end(c);
            return;
        }
        boolean first = !c.answered;
        c.answered = true;
        c.remoteTarget = SipText.uri(m.value("contact"));
        List<String> route = new ArrayList<>();
        for (SipText.Header h : m.all("record-route")) {
            route.add(0, h.value());
        }
        c.route = route;
        send(c.caller, c.callId, "ACK", inDialog(c, "ACK", 1, branch()));
        if (!first) {
            return; // a retransmitted 200: acknowledged again, nothing else
        }
        if (c.cancelled) {
            // The 200 crossed our CANCEL: the call is up, so end it at once (RFC 3261 section 9.1).
            bye(c);
            return;
        }
        if (c.reInvite) {
            sim.after(c.hold / 2, () -> {
                if (!c.over) {
                    c.cseq++;
                    send(c.caller, c.callId, "INVITE", inviteText(c, c.remoteTarget, branch(), c.cseq, c.toWithTag(), c.route));
                }
            });
        }
        sim.after(c.hold, () -> {
            if (c.over) {
                return;
            }
            if (c.calleeHangsUp) {
                end(c);
                farm.hangUp(c.callId);
            } else {
                bye(c);
            }
        });
    }

    private void bye(Call c) {
        c.cseq++;
        String text = inDialog(c, "BYE", c.cseq, branch());
        send(c.caller, c.callId, "BYE", text);
        if (sim.chance(RETRANSMIT_BYE)) {
            sim.after(500 * Sim.MS, () -> send(c.caller, c.callId, "BYE", text));
        }
        end(c);
    }

    private void end(Call c) {
        c.over = true;
        active.remove(c.callId);
    }

    private void answerBye(Phone phone, SipText bye) {
        StringBuilder b = new StringBuilder(400).append("SIP/2.0 200 OK\r\n");
        for (SipText.Header h : bye.all("via")) {
            b.append(h.line()).append("\r\n");
        }
        b.append("From: ").append(bye.value("from")).append("\r\nTo: ").append(bye.value("to"))
            .append("\r\nCall-ID: ").append(bye.callId()).append("\r\nCSeq: ").append(bye.value("cseq"))
            .append("\r\nContent-Length: 0\r\n\r\n");
        send(phone, bye.callId(), "200-to-BYE", b.toString());
    }

    private void send(Phone p, String callId, String kind, String text) {
        String dropped = edge.offer(p.address, SipText.bytes(text));
        ledger.fromPhone(callId, kind, dropped);
    }

    private String branch() {
        return "z9hG4bK" + Long.toHexString(sim.random.nextLong()) + branches++;
    }

    /** A live answered call, for an attacker who sniffed it; null when none is up. */
    String[] liveDialog() {
        int skip = active.isEmpty() ? 0 : sim.below(active.size());
        String[] found = null;
        for (Call c : active.values()) {
            if (c.answered && !c.over && c.toTag != null) {
                found = new String[] {c.callId, c.from(), c.toWithTag()};
                if (skip <= 0) {
                    break;
                }
            }
            skip--;
        }
        return found;
    }
}
