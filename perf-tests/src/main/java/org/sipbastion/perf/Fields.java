package org.sipbastion.perf;

import gov.nist.javax.sip.header.SIPHeaderList;
import gov.nist.javax.sip.header.UserAgent;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sip.address.Address;
import javax.sip.header.ContentLengthHeader;
import javax.sip.header.HeaderAddress;
import javax.sip.header.MaxForwardsHeader;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.SipMessage;

/**
 * Every value the benchmark reads, as text, from either parser: the slow, allocating twin of the
 * benchmark's readers. The {@code @Setup} sanity check and {@code ParserAgreementTest} compare the
 * two, so a benchmark whose parsers disagree (or read nothing) fails instead of measuring.
 *
 * <p>Absent values are {@code null}. An {@code rport} without a value is {@code ""}.
 */
public record Fields(Map<String, String> values) {

    /** Field names in reading order. */
    public static final List<String> NAMES = List.of(
        "start-line", "request-uri", "via.host", "via.port", "via.branch", "via.received", "via.rport",
        "via.maddr", "via.count", "cseq.number", "cseq.method", "call-id", "from.tag", "to.tag",
        "max-forwards", "content-length", "route.count", "route.first", "record-route.count",
        "record-route.first", "contact.count", "contact.first", "user-agent");

    /** Names of the fields whose values differ, with both values. */
    public List<String> differences(Fields other) {
        List<String> out = new ArrayList<>();
        for (String n : NAMES) {
            String a = values.get(n);
            String b = other.values.get(n);
            if (!Objects.equals(a, b)) {
                out.add(n + ": " + a + " vs " + b);
            }
        }
        return out;
    }

    public String get(String name) {
        return values.get(name);
    }

    /** Reads our flyweight after a parse that returned {@code Reason.OK}. */
    public static Fields of(SipMessage m) {
        Map<String, String> v = new LinkedHashMap<>();
        if (m.isRequest()) {
            v.put("start-line", m.method().name());
            v.put("request-uri", m.string(m.requestUri()));
        } else {
            v.put("start-line", m.statusCode() + " " + m.string(m.reasonPhrase()));
            v.put("request-uri", null);
        }
        org.sipbastion.parser.Via via = m.via(0);
        v.put("via.host", m.string(via.host()));
        v.put("via.port", Integer.toString(via.port()));
        v.put("via.branch", m.string(via.branch()));
        v.put("via.received", m.string(via.received()));
        v.put("via.rport", via.rport() < 0 ? null : via.rport() == 0 ? "" : Integer.toString(via.rport()));
        v.put("via.maddr", m.string(via.maddr()));
        v.put("via.count", Integer.toString(m.viaCount()));
        v.put("cseq.number", Long.toString(m.cseqNumber()));
        v.put("cseq.method", m.cseqMethod().name());
        v.put("call-id", m.string(m.callId()));
        v.put("from.tag", m.string(m.fromTag()));
        v.put("to.tag", m.string(m.toTag()));
        v.put("max-forwards", m.maxForwards() < 0 ? null : Integer.toString(m.maxForwards()));
        v.put("content-length", m.contentLength() < 0 ? null : Integer.toString(m.contentLength()));
        v.put("route.count", Integer.toString(m.routeCount()));
        v.put("route.first", m.string(m.firstRoute()));
        v.put("record-route.count", Integer.toString(m.recordRouteCount()));
        v.put("record-route.first", m.string(m.firstRecordRoute()));
        v.put("contact.count", Integer.toString(m.contactCount()));
        v.put("contact.first", m.string(m.firstContact()));
        v.put("user-agent", Range.present(m.userAgent()) ? m.string(m.userAgent()) : null);
        return new Fields(v);
    }

    /** Reads a message parsed by JAIN-SIP. */
    public static Fields of(SIPMessage m) {
        Map<String, String> v = new LinkedHashMap<>();
        if (m instanceof SIPRequest r) {
            v.put("start-line", r.getMethod());
            v.put("request-uri", r.getRequestURI().toString());
        } else {
            SIPResponse r = (SIPResponse) m;
            v.put("start-line", r.getStatusCode() + " " + r.getReasonPhrase());
            v.put("request-uri", null);
        }
        Via via = m.getTopmostVia();
        v.put("via.host", via.getHost());
        v.put("via.port", Integer.toString(via.getPort()));
        v.put("via.branch", via.getBranch());
        v.put("via.received", via.getReceived());
        int rport = via.getRPort();
        v.put("via.rport", rport >= 0 ? Integer.toString(rport) : via.hasParameter("rport") ? "" : null);
        v.put("via.maddr", via.getMAddr());
        v.put("via.count", Integer.toString(m.getViaHeaders().size()));
        v.put("cseq.number", Long.toString(m.getCSeq().getSeqNumber()));
        v.put("cseq.method", m.getCSeq().getMethod());
        v.put("call-id", m.getCallId().getCallId());
        v.put("from.tag", m.getFrom().getTag());
        v.put("to.tag", m.getTo().getTag());
        MaxForwardsHeader mf = m.getMaxForwards();
        v.put("max-forwards", mf == null ? null : Integer.toString(mf.getMaxForwards()));
        ContentLengthHeader cl = m.getContentLength();
        v.put("content-length", cl == null ? null : Integer.toString(cl.getContentLength()));
        addressList(v, "route", m.getRouteHeaders());
        addressList(v, "record-route", m.getRecordRouteHeaders());
        addressList(v, "contact", m.getContactHeaders());
        UserAgent ua = (UserAgent) m.getHeader(javax.sip.header.UserAgentHeader.NAME);
        v.put("user-agent", ua == null ? null : products(ua));
        return new Fields(v);
    }

    private static void addressList(Map<String, String> v, String name, SIPHeaderList<?> list) {
        if (list == null || list.isEmpty()) {
            v.put(name + ".count", "0");
            v.put(name + ".first", null);
            return;
        }
        v.put(name + ".count", Integer.toString(list.size()));
        Address a = ((HeaderAddress) list.getFirst()).getAddress();
        v.put(name + ".first", a.getURI().toString());
    }

    /** The product and comment tokens JAIN-SIP split User-Agent into, joined back with spaces. */
    private static String products(UserAgent ua) {
        StringBuilder b = new StringBuilder();
        for (Iterator<?> it = ua.getProduct(); it.hasNext(); ) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(it.next());
        }
        return b.toString();
    }
}
