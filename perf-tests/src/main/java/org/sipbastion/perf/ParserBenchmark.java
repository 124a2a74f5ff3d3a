package org.sipbastion.perf;

import gov.nist.javax.sip.header.SIPHeaderList;
import gov.nist.javax.sip.header.UserAgent;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.parser.StringMsgParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.text.ParseException;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.ContentLengthHeader;
import javax.sip.header.HeaderAddress;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.UserAgentHeader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.Reason;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.parser.Via;

/**
 * SIP Bastion's flyweight parser against the NIST JAIN-SIP parser, on the same bytes, in the same
 * run, doing the same work: validate the whole message, then read the start line, the top Via
 * (sent-by host and port, branch, received, rport, maddr) and the Via count, CSeq number and method,
 * Call-ID, From and To tags, Max-Forwards, Content-Length, Route / Record-Route / Contact (count and
 * first URI) and User-Agent.
 *
 * <p>Every string-valued result is hashed on both sides, so its characters are really read: ours
 * with {@link SipMessage#hash(long)} over the bytes, JAIN-SIP's with {@link String#hashCode()} over
 * the String it built. For URIs, which JAIN-SIP has already split, it hashes user and host; we hash
 * the whole URI range (a few bytes more). Numbers and enum-like values are consumed as they are.
 *
 * <p>Run: {@code java -jar perf-tests/target/benchmarks.jar ParserBenchmark -prof gc}. See
 * docs/benchmarks.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ParserBenchmark {

    @Param({"INVITE", "OK_200", "BYE", "REGISTER"})
    public String sample;

    private byte[] bytes;
    private ByteBuf buf;
    private SipMessage message;
    private StringMsgParser jainParser;

    @Setup(Level.Trial)
    public void setup() throws ParseException {
        bytes = Sample.valueOf(sample).bytes();
        buf = Unpooled.wrappedBuffer(bytes);
        message = new SipMessage();
        jainParser = new StringMsgParser();

        // Sanity: both parsers accept the message and read the same values, so neither benchmark
        // can quietly measure a rejected parse or a header that was dropped.
        Reason r = message.parse(buf);
        if (r != Reason.OK) {
            throw new IllegalStateException(sample + ": SIP Bastion rejected the sample: " + r);
        }
        Fields ours = Fields.of(message);
        Fields theirs = Fields.of(JainSip.parse(jainParser, bytes));
        List<String> diff = ours.differences(theirs);
        if (!diff.isEmpty()) {
            throw new IllegalStateException(sample + ": parsers disagree (ours vs JAIN-SIP): " + diff);
        }
        if (ours.get("call-id") == null || ours.get("via.branch") == null || ours.get("from.tag") == null) {
            throw new IllegalStateException(sample + ": sample lacks Call-ID, branch or From tag: " + ours);
        }
    }

    @Benchmark
    public void bastion(Blackhole bh) {
        ByteBuf b = buf;
        b.readerIndex(0);
        SipMessage m = message;
        Reason r = m.parse(b);
        if (r != Reason.OK) {
            throw new IllegalStateException(r.name());
        }
        if (m.isRequest()) {
            bh.consume(m.method());
            bh.consume(m.hash(m.requestUri()));
        } else {
            bh.consume(m.statusCode());
            bh.consume(m.hash(m.reasonPhrase()));
        }
        Via v = m.via(0);
        bh.consume(m.hash(v.host()));
        bh.consume(v.port());
        bh.consume(hash(m, v.branch()));
        bh.consume(hash(m, v.received()));
        bh.consume(v.rport());
        bh.consume(hash(m, v.maddr()));
        bh.consume(m.viaCount());
        bh.consume(m.cseqNumber());
        bh.consume(m.cseqMethod());
        bh.consume(m.hash(m.callId()));
        bh.consume(hash(m, m.fromTag()));
        bh.consume(hash(m, m.toTag()));
        bh.consume(m.maxForwards());
        bh.consume(m.contentLength());
        bh.consume(m.routeCount());
        bh.consume(hash(m, m.firstRoute()));
        bh.consume(m.recordRouteCount());
        bh.consume(hash(m, m.firstRecordRoute()));
        bh.consume(m.contactCount());
        bh.consume(hash(m, m.firstContact()));
        bh.consume(hash(m, m.userAgent()));
    }

    @Benchmark
    public void jainSip(Blackhole bh) throws ParseException {
        SIPMessage m = JainSip.parse(jainParser, bytes);
        if (m instanceof SIPRequest) {
            SIPRequest req = (SIPRequest) m;
            bh.consume(req.getMethod());
            bh.consume(hash(req.getRequestURI()));
        } else {
            SIPResponse resp = (SIPResponse) m;
            bh.consume(resp.getStatusCode());
            bh.consume(hash(resp.getReasonPhrase()));
        }
        gov.nist.javax.sip.header.Via v = m.getTopmostVia();
        bh.consume(hash(v.getHost()));
        bh.consume(v.getPort());
        bh.consume(hash(v.getBranch()));
        bh.consume(hash(v.getReceived()));
        // Our rport() tells absent (-1), empty (0) and a value apart; getRPort() says -1 for the
        // first two, so hasParameter tells them apart.
        int rport = v.getRPort();
        bh.consume(rport >= 0 ? rport : v.hasParameter("rport") ? 0 : -1);
        bh.consume(hash(v.getMAddr()));
        bh.consume(m.getViaHeaders().size());
        bh.consume(m.getCSeq().getSeqNumber());
        bh.consume(m.getCSeq().getMethod());
        bh.consume(hash(m.getCallId().getCallId()));
        bh.consume(hash(m.getFrom().getTag()));
        bh.consume(hash(m.getTo().getTag()));
        MaxForwardsHeader mf = m.getMaxForwards();
        bh.consume(mf == null ? -1 : mf.getMaxForwards());
        ContentLengthHeader cl = m.getContentLength();
        bh.consume(cl == null ? -1 : cl.getContentLength());
        addressList(bh, m.getRouteHeaders());
        addressList(bh, m.getRecordRouteHeaders());
        addressList(bh, m.getContactHeaders());
        UserAgent ua = (UserAgent) m.getHeader(UserAgentHeader.NAME);
        int h = 0;
        if (ua != null) {
            for (Iterator<?> it = ua.getProduct(); it.hasNext(); ) {
                h = 31 * h + it.next().hashCode();
            }
        }
        bh.consume(h);
    }

    private static long hash(SipMessage m, long range) {
        return Range.present(range) ? m.hash(range) : 0;
    }

    private static int hash(String s) {
        return s == null ? 0 : s.hashCode();
    }

    /** User and host of a SIP URI: the strings JAIN-SIP split it into. */
    private static int hash(URI uri) {
        if (uri instanceof SipURI) {
            SipURI u = (SipURI) uri;
            return 31 * hash(u.getUser()) + hash(u.getHost());
        }
        return uri == null ? 0 : 1;
    }

    private static void addressList(Blackhole bh, SIPHeaderList<?> list) {
        if (list == null || list.isEmpty()) {
            bh.consume(0);
            bh.consume(0);
            return;
        }
        bh.consume(list.size());
        bh.consume(hash(((HeaderAddress) list.getFirst()).getAddress().getURI()));
    }
}
