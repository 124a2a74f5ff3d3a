package org.sipbastion.parser;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A reusable flyweight over one SIP message in a Netty buffer (RFC 3261 section 7).
 *
 * <p>{@link #parse} validates the syntax and records positions (start line, every header line, the
 * Via stack, CSeq, Call-ID, tags, Max-Forwards, Content-Length, Route, Record-Route, Contact,
 * User-Agent) in preallocated arrays: nothing is copied and nothing is allocated per message. Other
 * headers are indexed by name and left unparsed until someone asks for them.
 *
 * <p>Not thread-safe: one instance per event loop. Positions are absolute indices into the buffer
 * and valid while the buffer is.
 */
public final class SipMessage {
    /** How the message was delimited: a datagram carries one message, a stream needs Content-Length. */
    public enum Framing { DATAGRAM, STREAM }

    private static final int MAX_CSEQ = Integer.MAX_VALUE;
    private static final int KEPT_VIAS = 2;

    private final Limits limits;

    private ByteBuf buf;
    private byte[] array;
    private int arrayOffset;
    private int start;
    private int end;
    private Reason reason = Reason.EMPTY_MESSAGE;

    private boolean request;
    private int startLineStart;
    private int startLineEnd;
    private Method method;
    private long methodRange;
    private long requestUri;
    private int statusCode;
    private long reasonPhrase;

    private int headerCount;
    private final HeaderName[] names;
    private final int[] nameStart;
    private final int[] nameEnd;
    private final int[] valueStart;
    private final int[] valueEnd;
    private final int[] lineStart;
    private final int[] lineEnd;
    private final int[] first = new int[HeaderName.COUNT];
    private final int[] count = new int[HeaderName.COUNT];
    private int foldedLines;
    private int headersEnd;
    private int bodyStart;
    private int bodyLength;

    private final Via[] vias = new Via[KEPT_VIAS];
    private int viaCount;
    private long callId;
    private long cseqNumber;
    private Method cseqMethod;
    private long cseqMethodRange;
    private long fromUri;
    private long fromTag;
    private long toUri;
    private long toTag;
    private int maxForwards;
    private int contentLength;
    private int routeCount;
    private long firstRoute;
    private int firstRouteHeader;
    private long firstRouteValue;
    private int firstRouteNext;
    private int recordRouteCount;
    private long firstRecordRoute;
    private int contactCount;
    private boolean contactStar;
    private long firstContact;
    private long userAgent;

    // Scratch outputs of the sub-grammars below; fields rather than objects so that nothing allocates.
    private long paramName;
    private long paramValue;
    private long tagParam;
    private long uriRange;
    private long uriHost;
    private int uriPort;
    private long uriUser;
    private long uriParams;
    private boolean uriSip;

    public SipMessage() {
        this(Limits.DEFAULT);
    }

    public SipMessage(Limits limits) {
        this.limits = limits;
        int n = limits.maxHeaders();
        names = new HeaderName[n];
        nameStart = new int[n];
        nameEnd = new int[n];
        valueStart = new int[n];
        valueEnd = new int[n];
        lineStart = new int[n];
        lineEnd = new int[n];
        for (int i = 0; i < KEPT_VIAS; i++) {
            vias[i] = new Via();
        }
    }

    public Limits limits() {
        return limits;
    }

    // ------------------------------------------------------------------ parse

    /** Parses a whole datagram or byte array. */
    public Reason parse(ByteBuf buffer) {
        return parse(buffer, buffer.readerIndex(), buffer.readableBytes(), Framing.DATAGRAM);
    }

    /**
     * Parses {@code length} bytes at {@code offset} of {@code buffer}. For a datagram, octets after
     * Content-Length are ignored (RFC 4475 section 3.1.1.8); for a stream frame Content-Length is
     * mandatory (RFC 3261 section 18.3).
     */
    public Reason parse(ByteBuf buffer, int offset, int length, Framing framing) {
        reset(buffer, offset, length);
        reason = doParse(framing);
        return reason;
    }

    private void reset(ByteBuf buffer, int offset, int length) {
        buf = buffer;
        if (buffer.hasArray()) {
            array = buffer.array();
            arrayOffset = buffer.arrayOffset();
        } else {
            array = null;
            arrayOffset = 0;
        }
        start = offset;
        end = offset + length;
        request = false;
        method = null;
        methodRange = requestUri = reasonPhrase = Range.NONE;
        statusCode = -1;
        headerCount = 0;
        foldedLines = 0;
        Arrays.fill(first, -1);
        Arrays.fill(count, 0);
        headersEnd = bodyStart = -1;
        bodyLength = 0;
        for (Via v : vias) {
            v.reset();
        }
        viaCount = 0;
        callId = cseqMethodRange = fromUri = fromTag = toUri = toTag = Range.NONE;
        cseqNumber = -1;
        cseqMethod = null;
        maxForwards = -1;
        contentLength = -1;
        routeCount = recordRouteCount = contactCount = 0;
        contactStar = false;
        firstRoute = firstRecordRoute = firstContact = userAgent = firstRouteValue = Range.NONE;
        firstRouteHeader = firstRouteNext = -1;
    }

    private Reason doParse(Framing framing) {
        if (end - start > limits.maxMessageBytes()) {
            return Reason.MESSAGE_TOO_LARGE;
        }
        int p = start;
        // RFC 3261 section 7.5: CRLFs before the start line are ignored.
        while (p < end && (byteAt(p) == '\r' || byteAt(p) == '\n')) {
            p++;
        }
        if (p == end) {
            return Reason.EMPTY_MESSAGE;
        }
        int lf = lineFeed(p);
        if (lf < 0) {
            return end - p > limits.maxLineBytes() ? Reason.LINE_TOO_LONG : Reason.MISSING_HEADER_END;
        }
        startLineStart = p;
        startLineEnd = lf + 1;
        Reason r = startLine(p, contentEnd(p, lf));
        if (r != Reason.OK) {
            return r;
        }
        r = headerLines(lf + 1);
        if (r != Reason.OK) {
            return r;
        }
        r = knownHeaders();
        if (r != Reason.OK) {
            return r;
        }
        return body(framing);
    }

    private Reason startLine(int p, int e) {
        if (regionEquals(p, SIP_SLASH, true)) {
            return statusLine(p, e);
        }
        request = true;
        int sp1 = p;
        while (sp1 < e && CharClass.is(byteAt(sp1), CharClass.TOKEN)) {
            sp1++;
        }
        if (sp1 == p || sp1 == e) {
            return Reason.BAD_START_LINE;
        }
        if (byteAt(sp1) != ' ') {
            return Reason.BAD_METHOD;
        }
        methodRange = Range.between(p, sp1);
        method = Method.lookup(this, p, sp1 - p);
        int uriStart = sp1 + 1;
        int sp2 = uriStart;
        while (sp2 < e && byteAt(sp2) != ' ') {
            sp2++;
        }
        if (sp2 == e || sp2 == uriStart) {
            return Reason.BAD_START_LINE;
        }
        int verStart = sp2 + 1;
        // Exactly one SP between elements and none at the end (RFC 4475 3.1.2.8-3.1.2.10).
        for (int i = verStart; i < e; i++) {
            if (byteAt(i) == ' ' || byteAt(i) == '\t') {
                return Reason.BAD_START_LINE;
            }
        }
        Reason v = version(verStart, e);
        if (v != Reason.OK) {
            return v;
        }
        if (byteAt(uriStart) == '<') {
            return Reason.BAD_REQUEST_URI;
        }
        if (uri(uriStart, sp2, URI_REQUEST) != sp2) {
            return reason == Reason.BAD_ESCAPE ? Reason.BAD_ESCAPE : Reason.BAD_REQUEST_URI;
        }
        requestUri = Range.between(uriStart, sp2);
        return Reason.OK;
    }

    private static final byte[] SIP_SLASH = "sip/".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SIP_2_0 = "sip/2.0".getBytes(StandardCharsets.US_ASCII);

    private Reason version(int p, int e) {
        if (e - p < 5 || !regionEquals(p, SIP_SLASH, true)) {
            return Reason.BAD_START_LINE;
        }
        if (e - p == SIP_2_0.length && regionEquals(p, SIP_2_0, true)) {
            return Reason.OK;
        }
        // "SIP/" 1*DIGIT "." 1*DIGIT that is not 2.0: well formed, but not a version we speak.
        return Reason.BAD_VERSION;
    }

    private Reason statusLine(int p, int e) {
        request = false;
        int sp = p;
        while (sp < e && byteAt(sp) != ' ') {
            sp++;
        }
        Reason v = version(p, sp);
        if (v != Reason.OK) {
            return v;
        }
        int c = sp + 1;
        if (c + 3 > e) {
            return Reason.BAD_STATUS_CODE;
        }
        int code = 0;
        for (int i = c; i < c + 3; i++) {
            byte b = byteAt(i);
            if (b < '0' || b > '9') {
                return Reason.BAD_STATUS_CODE;
            }
            code = code * 10 + (b - '0');
        }
        if (code < 100 || code > 699) {
            return Reason.BAD_STATUS_CODE;
        }
        int after = c + 3;
        if (after < e && byteAt(after) != ' ') {
            return Reason.BAD_STATUS_CODE;
        }
        statusCode = code;
        int rp = Math.min(after + 1, e);
        for (int i = rp; i < e; i++) {
            byte b = byteAt(i);
            if ((b >= 0 && b < 0x20 && b != '\t') || b == 0x7F) {
                return Reason.BAD_REASON_PHRASE;
            }
        }
        reasonPhrase = Range.between(rp, e);
        return Reason.OK;
    }

    private Reason headerLines(int p) {
        int maxLine = limits.maxLineBytes();
        while (true) {
            if (p >= end) {
                return Reason.MISSING_HEADER_END;
            }
            byte b = byteAt(p);
            if (b == '\n' || (b == '\r' && p + 1 < end && byteAt(p + 1) == '\n')) {
                headersEnd = p;
                bodyStart = b == '\n' ? p + 1 : p + 2;
                return Reason.OK;
            }
            int lf = lineFeed(p);
            if (lf < 0) {
                return end - p > maxLine ? Reason.LINE_TOO_LONG : Reason.MISSING_HEADER_END;
            }
            int ce = contentEnd(p, lf);
            if (b == ' ' || b == '\t') {
                if (headerCount == 0) {
                    return Reason.BAD_HEADER_LINE;
                }
                int h = headerCount - 1;
                foldedLines++;
                int rt = rtrim(p, ce);
                if (rt > p) {
                    int firstNonWs = p;
                    while (byteAt(firstNonWs) == ' ' || byteAt(firstNonWs) == '\t') {
                        firstNonWs++;
                    }
                    if (firstNonWs < rt) {
                        if (valueEnd[h] == valueStart[h]) {
                            valueStart[h] = firstNonWs;
                        }
                        valueEnd[h] = rt;
                    }
                }
                lineEnd[h] = lf + 1;
            } else {
                int q = p;
                while (q < ce && CharClass.is(byteAt(q), CharClass.TOKEN)) {
                    q++;
                }
                int ne = q;
                while (q < ce && (byteAt(q) == ' ' || byteAt(q) == '\t')) {
                    q++;
                }
                if (ne == p || q == ce || byteAt(q) != ':') {
                    return Reason.BAD_HEADER_LINE;
                }
                q++;
                while (q < ce && (byteAt(q) == ' ' || byteAt(q) == '\t')) {
                    q++;
                }
                if (headerCount == names.length) {
                    return Reason.TOO_MANY_HEADERS;
                }
                int h = headerCount++;
                HeaderName name = HeaderName.lookup(this, p, ne - p);
                names[h] = name;
                nameStart[h] = p;
                nameEnd[h] = ne;
                valueStart[h] = q;
                valueEnd[h] = Math.max(q, rtrim(q, ce));
                lineStart[h] = p;
                lineEnd[h] = lf + 1;
                int id = name.ordinal();
                if (first[id] < 0) {
                    first[id] = h;
                }
                count[id]++;
            }
            p = lf + 1;
        }
    }

    private Reason knownHeaders() {
        for (int h = 0; h < headerCount; h++) {
            int vs = valueStart[h];
            int ve = valueEnd[h];
            Reason r;
            switch (names[h]) {
                case VIA:
                    r = viaHeader(h, vs, ve);
                    break;
                case CSEQ:
                    r = first[HeaderName.CSEQ.ordinal()] == h ? cseq(vs, ve) : cseqSyntaxOnly(vs, ve);
                    break;
                case CALL_ID:
                    r = callIdHeader(vs, ve);
                    break;
                case FROM:
                case TO:
                    r = fromTo(h, vs, ve);
                    break;
                case CONTACT:
                    r = addressList(h, vs, ve, HeaderName.CONTACT);
                    break;
                case ROUTE:
                    r = addressList(h, vs, ve, HeaderName.ROUTE);
                    break;
                case RECORD_ROUTE:
                    r = addressList(h, vs, ve, HeaderName.RECORD_ROUTE);
                    break;
                case MAX_FORWARDS:
                    r = maxForwardsHeader(vs, ve);
                    break;
                case CONTENT_LENGTH:
                    r = contentLengthHeader(vs, ve);
                    break;
                case USER_AGENT:
                    if (!Range.present(userAgent)) {
                        userAgent = Range.between(vs, ve);
                    }
                    r = Reason.OK;
                    break;
                case DATE:
                    r = DateSyntax.valid(this, vs, ve) ? Reason.OK : Reason.BAD_DATE;
                    break;
                default:
                    r = Reason.OK;
            }
            if (r != Reason.OK) {
                return r;
            }
        }
        if (request && cseqMethod != null) {
            boolean same = cseqMethod == method
                && (method != Method.EXTENSION || sameBytes(methodRange, cseqMethodRange));
            if (!same) {
                return Reason.CSEQ_METHOD_MISMATCH;
            }
        }
        return Reason.OK;
    }

    private Reason body(Framing framing) {
        int available = end - bodyStart;
        if (contentLength < 0) {
            if (framing == Framing.STREAM) {
                return Reason.BAD_CONTENT_LENGTH;
            }
            bodyLength = available;
            return Reason.OK;
        }
        if (contentLength > available) {
            return Reason.CONTENT_LENGTH_EXCEEDS_MESSAGE;
        }
        bodyLength = contentLength;
        return Reason.OK;
    }

    // ------------------------------------------------------------------ headers

    private Reason viaHeader(int h, int p, int e) {
        if (p == e) {
            return Reason.BAD_VIA;
        }
        while (true) {
            Via v = viaCount < KEPT_VIAS ? vias[viaCount] : null;
            int after = viaParm(v, h, p, e);
            if (after < 0) {
                return reason == Reason.BAD_VERSION ? Reason.BAD_VERSION : Reason.BAD_VIA;
            }
            viaCount++;
            int q = ws(after, e);
            if (q == e) {
                return Reason.OK;
            }
            if (byteAt(q) != ',') {
                return Reason.BAD_VIA;
            }
            p = ws(q + 1, e);
            if (p == e) {
                return Reason.BAD_VIA;
            }
            if (v != null) {
                v.next = p;
            }
        }
    }

    /** via-parm = sent-protocol LWS sent-by *( SEMI via-params ); returns the end or -1. */
    private int viaParm(Via v, int h, int p, int e) {
        int s = p;
        int q = token(p, e);
        if (q == p || !SIP_WORD.matches(this, p, q - p)) {
            return -1;
        }
        q = ws(q, e);
        if (q == e || byteAt(q) != '/') {
            return -1;
        }
        q = ws(q + 1, e);
        int vs = q;
        q = token(q, e);
        if (q == vs) {
            return -1;
        }
        if (q - vs != 3 || byteAt(vs) != '2' || byteAt(vs + 1) != '.' || byteAt(vs + 2) != '0') {
            reason = Reason.BAD_VERSION;
            return -1;
        }
        int ve = q;
        q = ws(q, e);
        if (q == e || byteAt(q) != '/') {
            return -1;
        }
        q = ws(q + 1, e);
        int ts = q;
        q = token(q, e);
        if (q == ts) {
            return -1;
        }
        int te = q;
        int hs = ws(q, e);
        if (hs == q) {
            return -1;
        }
        int he = host(hs, e);
        if (he < 0) {
            return -1;
        }
        q = he;
        int port = -1;
        int c = ws(q, e);
        if (c < e && byteAt(c) == ':') {
            int ps = ws(c + 1, e);
            q = digits(ps, e);
            port = portValue(ps, q);
            if (port < 0) {
                return -1;
            }
        }
        if (v != null) {
            v.header = h;
            v.start = s;
            v.transport = Range.between(ts, te);
            v.host = Range.between(hs, he);
            v.port = port;
        }
        while (true) {
            int semi = ws(q, e);
            if (semi == e || byteAt(semi) != ';') {
                break;
            }
            int ps = ws(semi + 1, e);
            int pe = param(ps, e);
            if (pe < 0) {
                return -1;
            }
            // rport = "rport" [EQUAL 1*DIGIT] (RFC 3581), and a response goes to that port: it must be
            // one (0 stands for "rport without a value" in Via).
            if (nameIs(RPORT) && Range.present(paramValue) && portValue(Range.start(paramValue), Range.end(paramValue)) < 1) {
                return -1;
            }
            if (v != null) {
                viaParam(v, pe);
            }
            q = pe;
        }
        if (v != null) {
            v.end = q;
        }
        return q;
    }

    private static final TokenName SIP_WORD = new TokenName("sip");
    private static final TokenName BRANCH = new TokenName("branch");
    private static final TokenName RECEIVED = new TokenName("received");
    private static final TokenName RPORT = new TokenName("rport");
    private static final TokenName MADDR = new TokenName("maddr");
    private static final TokenName TAG = new TokenName("tag");

    private void viaParam(Via v, int paramEnd) {
        if (nameIs(BRANCH)) {
            v.branch = paramValue;
        } else if (nameIs(RECEIVED)) {
            v.received = paramValue;
        } else if (nameIs(MADDR)) {
            v.maddr = paramValue;
        } else if (nameIs(RPORT)) {
            v.rportEnd = paramEnd;
            v.rport = Range.present(paramValue) ? portValue(Range.start(paramValue), Range.end(paramValue)) : 0;
        }
    }

    private boolean nameIs(TokenName name) {
        return name.matches(this, Range.start(paramName), Range.length(paramName));
    }

    /**
     * generic-param = token [ EQUAL gen-value ], gen-value = token / host / quoted-string. Sets
     * {@link #paramName} and {@link #paramValue}; returns the end or -1.
     */
    private int param(int p, int e) {
        int q = token(p, e);
        if (q == p) {
            reason = Reason.BAD_PARAMETER;
            return -1;
        }
        paramName = Range.between(p, q);
        paramValue = Range.NONE;
        int eq = ws(q, e);
        if (eq < e && byteAt(eq) == '=') {
            int vs = ws(eq + 1, e);
            int ve;
            if (vs < e && byteAt(vs) == '"') {
                ve = quoted(vs, e);
            } else {
                ve = vs;
                while (ve < e && CharClass.is(byteAt(ve), CharClass.GENVALUE)) {
                    ve++;
                }
                if (ve == vs) {
                    ve = -1;
                }
            }
            if (ve < 0) {
                if (reason != Reason.UNTERMINATED_QUOTE) {
                    reason = Reason.BAD_PARAMETER;
                }
                return -1;
            }
            paramValue = Range.between(vs, ve);
            return ve;
        }
        return q;
    }

    private Reason cseq(int p, int e) {
        int q = digits(p, e);
        if (q == p) {
            return Reason.BAD_CSEQ;
        }
        long n = 0;
        for (int i = p; i < q; i++) {
            n = n * 10 + (byteAt(i) - '0');
            if (n > MAX_CSEQ) {
                return Reason.CSEQ_OVERFLOW;
            }
        }
        int ms = ws(q, e);
        if (ms == q) {
            return Reason.BAD_CSEQ;
        }
        int me = token(ms, e);
        if (me == ms || ws(me, e) != e) {
            return Reason.BAD_CSEQ;
        }
        cseqNumber = n;
        cseqMethodRange = Range.between(ms, me);
        cseqMethod = Method.lookup(this, ms, me - ms);
        return Reason.OK;
    }

    private Reason cseqSyntaxOnly(int p, int e) {
        long keepNumber = cseqNumber;
        Method keepMethod = cseqMethod;
        long keepRange = cseqMethodRange;
        Reason r = cseq(p, e);
        cseqNumber = keepNumber;
        cseqMethod = keepMethod;
        cseqMethodRange = keepRange;
        return r;
    }

    private Reason callIdHeader(int p, int e) {
        if (p == e) {
            return Reason.BAD_CALL_ID;
        }
        boolean at = false;
        for (int i = p; i < e; i++) {
            byte b = byteAt(i);
            if (b == '@') {
                if (at || i == p || i == e - 1) {
                    return Reason.BAD_CALL_ID;
                }
                at = true;
            } else if (!CharClass.is(b, CharClass.WORD)) {
                return Reason.BAD_CALL_ID;
            }
        }
        if (!Range.present(callId)) {
            callId = Range.between(p, e);
        }
        return Reason.OK;
    }

    private Reason fromTo(int h, int p, int e) {
        boolean from = names[h] == HeaderName.FROM;
        int q = nameAddr(p, e, false);
        if (q < 0) {
            return failedAddress();
        }
        long uri = uriRange;
        q = addressParams(q, e, true);
        if (q < 0) {
            return reason;
        }
        if (q != e) {
            return Reason.BAD_NAME_ADDR;
        }
        long tag = tagParam;
        boolean firstOfKind = first[names[h].ordinal()] == h;
        if (firstOfKind && from) {
            fromUri = uri;
            fromTag = tag;
        } else if (firstOfKind) {
            toUri = uri;
            toTag = tag;
        }
        return Reason.OK;
    }

    private Reason addressList(int h, int p, int e, HeaderName kind) {
        if (p == e) {
            return Reason.BAD_NAME_ADDR;
        }
        if (kind == HeaderName.CONTACT && byteAt(p) == '*' && ws(p + 1, e) == e) {
            contactStar = true;
            contactCount++;
            return Reason.OK;
        }
        while (true) {
            int valueStart = p;
            int q = nameAddr(p, e, kind != HeaderName.CONTACT);
            if (q < 0) {
                return failedAddress();
            }
            long uri = uriRange;
            q = addressParams(q, e, false);
            if (q < 0) {
                return reason;
            }
            switch (kind) {
                case CONTACT:
                    if (contactCount++ == 0) {
                        firstContact = uri;
                    }
                    break;
                case ROUTE:
                    if (routeCount == 1 && firstRouteHeader == h) {
                        firstRouteNext = valueStart;
                    }
                    if (routeCount++ == 0) {
                        firstRoute = uri;
                        firstRouteHeader = h;
                        firstRouteValue = Range.between(valueStart, q);
                    }
                    break;
                default:
                    if (recordRouteCount++ == 0) {
                        firstRecordRoute = uri;
                    }
            }
            if (q == e) {
                return Reason.OK;
            }
            if (byteAt(q) != ',') {
                return Reason.BAD_NAME_ADDR;
            }
            p = ws(q + 1, e);
            if (p == e) {
                return Reason.BAD_NAME_ADDR;
            }
        }
    }

    /**
     * *( SEMI generic-param ) after a name-addr or addr-spec: returns where the parameters end
     * (white space after them skipped), or -1 with {@link #reason} set. With {@code tagWanted}, the
     * tag's value goes to {@link #tagParam}, and a tag without a value is an error.
     */
    private int addressParams(int q, int e, boolean tagWanted) {
        tagParam = Range.NONE;
        while (true) {
            int semi = ws(q, e);
            if (semi == e || byteAt(semi) != ';') {
                return semi;
            }
            int pe = param(ws(semi + 1, e), e);
            if (pe < 0) {
                if (reason != Reason.UNTERMINATED_QUOTE) {
                    reason = Reason.BAD_PARAMETER;
                }
                return -1;
            }
            if (tagWanted && nameIs(TAG)) {
                if (!Range.present(paramValue)) {
                    reason = Reason.BAD_PARAMETER;
                    return -1;
                }
                tagParam = paramValue;
            }
            q = pe;
        }
    }

    private Reason failedAddress() {
        return reason == Reason.UNTERMINATED_QUOTE || reason == Reason.BAD_ESCAPE ? reason : Reason.BAD_NAME_ADDR;
    }

    /**
     * ( name-addr / addr-spec ): sets {@link #uriRange} to the URI and returns the position after it
     * (after the closing angle bracket for a name-addr), or -1.
     */
    private int nameAddr(int p, int e, boolean requireBrackets) {
        reason = Reason.BAD_NAME_ADDR;
        int q = ws(p, e);
        if (q == e) {
            return -1;
        }
        int lt;
        if (byteAt(q) == '"') {
            int qe = quoted(q, e);
            if (qe < 0) {
                return -1;
            }
            lt = ws(qe, e);
            if (lt == e || byteAt(lt) != '<') {
                return -1;
            }
        } else {
            // display-name = *(token LWS); only a '<' after it tells it from an addr-spec.
            int s = q;
            while (s < e && (CharClass.is(byteAt(s), CharClass.TOKEN) || CharClass.isWs(byteAt(s)))) {
                s++;
            }
            lt = s < e && byteAt(s) == '<' ? s : -1;
        }
        if (lt >= 0) {
            // The URI grammar stops at '>'; anything else there (space, quote, '<') is an error.
            int us = lt + 1;
            int gt = uri(us, e, URI_NAME_ADDR);
            if (gt <= us || gt == e || byteAt(gt) != '>') {
                return -1;
            }
            uriRange = Range.between(us, gt);
            return gt + 1;
        }
        if (requireBrackets) {
            return -1;
        }
        int ue = q;
        while (ue < e) {
            byte b = byteAt(ue);
            if (b == ';' || b == ',' || CharClass.isWs(b)) {
                break;
            }
            ue++;
        }
        if (ue == q || uri(q, ue, URI_ADDR_SPEC) != ue) {
            return -1;
        }
        uriRange = Range.between(q, ue);
        return ue;
    }

    private Reason maxForwardsHeader(int p, int e) {
        long n = decimal(p, e, 255);
        if (n < 0) {
            return Reason.BAD_MAX_FORWARDS;
        }
        if (maxForwards < 0) {
            maxForwards = (int) n;
        }
        return Reason.OK;
    }

    private Reason contentLengthHeader(int p, int e) {
        long n = decimal(p, e, limits.maxMessageBytes());
        if (n < 0) {
            return Reason.BAD_CONTENT_LENGTH;
        }
        if (contentLength < 0) {
            contentLength = (int) n;
        }
        return Reason.OK;
    }

    /** 1*DIGIT filling [p, e), at most ten digits and not above {@code max}: its value, else -1. */
    private long decimal(int p, int e, long max) {
        if (e == p || e - p > 10 || digits(p, e) != e) {
            return -1;
        }
        long n = 0;
        for (int i = p; i < e; i++) {
            n = n * 10 + (byteAt(i) - '0');
        }
        return n <= max ? n : -1;
    }

    // ------------------------------------------------------------------ URIs

    private static final int URI_REQUEST = 0;
    private static final int URI_NAME_ADDR = 1;
    private static final int URI_ADDR_SPEC = 2;
    private static final TokenName SIPS_WORD = new TokenName("sips");

    /**
     * Validates the URI that starts at p (and ends before e at the latest) and returns where it
     * ends: the caller checks what may follow ('>' in a name-addr, nothing in a Request-URI). SIP and
     * SIPS URIs are checked against RFC 3261 section 19.1 (with RFC 5118 tolerance for IPv6
     * references); other schemes only for absoluteURI characters. -1 when invalid.
     */
    private int uri(int p, int e, int context) {
        reason = Reason.BAD_URI;
        uriHost = uriUser = uriParams = Range.NONE;
        uriPort = -1;
        uriSip = false;
        if (p >= e || !CharClass.is(byteAt(p), CharClass.ALPHANUM) || isDigit(byteAt(p))) {
            return -1;
        }
        int c = p + 1;
        while (c < e && (CharClass.is(byteAt(c), CharClass.ALPHANUM) || byteAt(c) == '+' || byteAt(c) == '-'
            || byteAt(c) == '.')) {
            c++;
        }
        if (c == e || byteAt(c) != ':') {
            return -1;
        }
        boolean sip = SIP_WORD.matches(this, p, c - p) || SIPS_WORD.matches(this, p, c - p);
        if (!sip) {
            int i = c + 1;
            while (i < e && CharClass.is(byteAt(i), CharClass.URIC)) {
                if (byteAt(i) == '%' && !escape(i, e)) {
                    reason = Reason.BAD_ESCAPE;
                    return -1;
                }
                i++;
            }
            return i == c + 1 ? -1 : i;
        }
        uriSip = true;
        int s = c + 1;
        // Userinfo only if an '@' ends a run of characters that may form one.
        int at = -1;
        for (int i = s; i < e; i++) {
            byte b = byteAt(i);
            if (b == '@') {
                at = i;
                break;
            }
            if (!CharClass.is(b, CharClass.USERINFO)) {
                break;
            }
        }
        int hs = s;
        if (at >= 0) {
            if (at == s || userinfo(s, at) < 0) {
                return -1;
            }
            uriUser = Range.between(s, at);
            hs = at + 1;
        }
        int he = host(hs, e);
        if (he < 0) {
            return -1;
        }
        uriHost = Range.between(hs, he);
        int q = he;
        if (q < e && byteAt(q) == ':') {
            int pe = digits(q + 1, e);
            uriPort = portValue(q + 1, pe);
            if (uriPort < 0) {
                return -1;
            }
            q = pe;
        }
        int ps = q;
        while (q < e && byteAt(q) == ';') {
            q = uriChars(q + 1, e, CharClass.PARAMCHAR, true);
            if (q < 0) {
                return -1;
            }
            if (q < e && byteAt(q) == '=') {
                q = uriChars(q + 1, e, CharClass.PARAMCHAR, true);
                if (q < 0) {
                    return -1;
                }
            }
        }
        uriParams = Range.between(ps, q);
        if (q < e && byteAt(q) == '?') {
            if (context != URI_NAME_ADDR) {
                // Headers in a Request-URI (RFC 3261 section 19.1.5) or in an addr-spec outside <>.
                return -1;
            }
            do {
                q = uriChars(q + 1, e, CharClass.HNV, true);
                if (q < 0 || q == e || byteAt(q) != '=') {
                    return -1;
                }
                q = uriChars(q + 1, e, CharClass.HNV, false);
                if (q < 0) {
                    return -1;
                }
            } while (q < e && byteAt(q) == '&');
        }
        return q;
    }

    private int userinfo(int p, int e) {
        int colon = -1;
        for (int i = p; i < e; i++) {
            byte b = byteAt(i);
            if (b == ':' && colon < 0) {
                colon = i;
                continue;
            }
            int cls = colon < 0 ? CharClass.USER : CharClass.PASSWORD;
            if (b == '%') {
                if (!escape(i, e)) {
                    reason = Reason.BAD_ESCAPE;
                    return -1;
                }
                i += 2;
            } else if (!CharClass.is(b, cls)) {
                return -1;
            }
        }
        return colon == p ? -1 : e;
    }

    /** A run of characters of class {@code cls} or escapes; empty runs fail when {@code nonEmpty}. */
    private int uriChars(int p, int e, int cls, boolean nonEmpty) {
        int q = p;
        while (q < e) {
            byte b = byteAt(q);
            if (b == '%') {
                if (!escape(q, e)) {
                    reason = Reason.BAD_ESCAPE;
                    return -1;
                }
                q += 3;
            } else if (CharClass.is(b, cls)) {
                q++;
            } else {
                break;
            }
        }
        return nonEmpty && q == p ? -1 : q;
    }

    private boolean escape(int i, int e) {
        return i + 2 < e && CharClass.is(byteAt(i + 1), CharClass.HEX) && CharClass.is(byteAt(i + 2), CharClass.HEX);
    }

    /** host = hostname / IPv4address / IPv6reference; returns its end or -1. */
    private int host(int p, int e) {
        if (p >= e) {
            return -1;
        }
        if (byteAt(p) == '[') {
            int q = p + 1;
            while (q < e && CharClass.is(byteAt(q), CharClass.IPV6)) {
                q++;
            }
            return q < e && byteAt(q) == ']' && q > p + 2 ? q + 1 : -1;
        }
        int q = p;
        while (q < e && CharClass.is(byteAt(q), CharClass.HOST)) {
            q++;
        }
        return q == p ? -1 : q;
    }

    /** A port number filling [p, e), or -1. */
    private int portValue(int p, int e) {
        return (int) decimal(p, e, 65535);
    }

    // ------------------------------------------------------------------ lexical helpers

    private int quoted(int p, int e) {
        int q = p + 1;
        while (q < e) {
            byte b = byteAt(q);
            if (b == '"') {
                return q + 1;
            }
            if (b == '\\') {
                if (q + 1 >= e || byteAt(q + 1) == '\r' || byteAt(q + 1) == '\n') {
                    break;
                }
                q += 2;
                continue;
            }
            if (b >= 0 && b < 0x20 && !CharClass.isWs(b) || b == 0x7F) {
                reason = Reason.BAD_NAME_ADDR;
                return -1;
            }
            q++;
        }
        reason = Reason.UNTERMINATED_QUOTE;
        return -1;
    }

    private int ws(int p, int e) {
        while (p < e && CharClass.is(byteAt(p), CharClass.WS)) {
            p++;
        }
        return p;
    }

    private int token(int p, int e) {
        while (p < e && CharClass.is(byteAt(p), CharClass.TOKEN)) {
            p++;
        }
        return p;
    }

    private int digits(int p, int e) {
        while (p < e && isDigit(byteAt(p))) {
            p++;
        }
        return p;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private int rtrim(int p, int e) {
        while (e > p && (byteAt(e - 1) == ' ' || byteAt(e - 1) == '\t')) {
            e--;
        }
        return e;
    }

    private int lineFeed(int p) {
        int limit = Math.min(end, p + limits.maxLineBytes() + 1);
        if (array == null) {
            // Netty's indexOf scans direct memory a word at a time.
            return buf.indexOf(p, limit, (byte) '\n');
        }
        byte[] a = array;
        int off = arrayOffset;
        int i = p;
        // Eight bytes per step (SWAR): header lines average tens of bytes, so most of the search
        // is in this loop rather than the byte-by-byte tail.
        for (; i + 8 <= limit; i += 8) {
            long word = (long) LONGS.get(a, off + i) ^ LF_WORD;
            long found = (word - 0x0101010101010101L) & ~word & 0x8080808080808080L;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < limit; i++) {
            if (a[off + i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static final java.lang.invoke.VarHandle LONGS =
        java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long LF_WORD = 0x0A0A0A0A0A0A0A0AL;

    private int contentEnd(int p, int lf) {
        return lf > p && byteAt(lf - 1) == '\r' ? lf - 1 : lf;
    }

    /** Eight bytes at {@code i}, little-endian, zero past the end of the message. */
    long wordAt(int i) {
        if (i + 8 <= end) {
            return array != null ? (long) LONGS.get(array, arrayOffset + i) : buf.getLongLE(i);
        }
        long w = 0;
        for (int k = 0; k < 8 && i + k < end; k++) {
            w |= (byteAt(i + k) & 0xFFL) << (8 * k);
        }
        return w;
    }

    byte byteAt(int i) {
        return array != null ? array[arrayOffset + i] : buf.getByte(i);
    }

    /** Compares bytes at {@code p} with {@code lower}, optionally ignoring ASCII case. */
    boolean regionEquals(int p, byte[] lower, boolean ignoreCase) {
        if (p + lower.length > end) {
            return false;
        }
        for (int i = 0; i < lower.length; i++) {
            byte b = byteAt(p + i);
            if (ignoreCase && b >= 'A' && b <= 'Z') {
                b = (byte) (b | 0x20);
            }
            if (b != lower[i]) {
                return false;
            }
        }
        return true;
    }


    private boolean sameBytes(long a, long b) {
        int n = Range.length(a);
        if (n != Range.length(b)) {
            return false;
        }
        int sa = Range.start(a);
        int sb = Range.start(b);
        for (int i = 0; i < n; i++) {
            if (byteAt(sa + i) != byteAt(sb + i)) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ accessors

    /** The verdict of the last {@link #parse}. Accessors below are meaningful only when it is OK. */
    public Reason reason() {
        return reason;
    }

    public ByteBuf buffer() {
        return buf;
    }

    /** First byte of the message (after any leading CRLF keep-alive). */
    public int messageStart() {
        return startLineStart;
    }

    /** One past the last byte of the message: trailing datagram octets are excluded. */
    public int messageEnd() {
        return bodyStart + bodyLength;
    }

    public boolean isRequest() {
        return request;
    }

    public Method method() {
        return method;
    }

    public long methodRange() {
        return methodRange;
    }

    public long requestUri() {
        return requestUri;
    }

    public int statusCode() {
        return statusCode;
    }

    public long reasonPhrase() {
        return reasonPhrase;
    }

    /** One past the CRLF that ends the start line. */
    public int startLineEnd() {
        return startLineEnd;
    }

    public int headerCount() {
        return headerCount;
    }

    public HeaderName headerName(int h) {
        return names[h];
    }

    public long headerNameRange(int h) {
        return Range.between(nameStart[h], nameEnd[h]);
    }

    /** The value with leading and trailing white space removed; may span folded lines. */
    public long headerValue(int h) {
        return Range.between(valueStart[h], valueEnd[h]);
    }

    /** The whole header line(s), CRLF included: what a rewrite removes. */
    public long headerLine(int h) {
        return Range.between(lineStart[h], lineEnd[h]);
    }

    /** Index of the first header with this name, or -1. */
    public int first(HeaderName name) {
        return first[name.ordinal()];
    }

    /** Index of the next header with this name after {@code h}, or -1. Lazy access to the rest. */
    public int next(HeaderName name, int h) {
        for (int i = h + 1; i < headerCount; i++) {
            if (names[i] == name) {
                return i;
            }
        }
        return -1;
    }

    /** How many header lines carry this name. */
    public int count(HeaderName name) {
        return count[name.ordinal()];
    }

    /** Start of the empty line that ends the headers. */
    public int headersEnd() {
        return headersEnd;
    }

    public int bodyStart() {
        return bodyStart;
    }

    public int bodyLength() {
        return bodyLength;
    }

    /** Octets of the datagram after Content-Length's end of body (ignored, RFC 4475 3.1.1.8). */
    public int trailingOctets() {
        return end - messageEnd();
    }

    /** Continuation lines (header folding) seen; RFC 3261 allows them, few parsers agree on them. */
    public int foldedLines() {
        return foldedLines;
    }

    /** Number of Via values (all header lines, all comma-separated values). */
    public int viaCount() {
        return viaCount;
    }

    /** The i-th Via value from the top, for i below 2 (the two a proxy needs). */
    public Via via(int i) {
        return i < Math.min(viaCount, KEPT_VIAS) ? vias[i] : null;
    }

    public long callId() {
        return callId;
    }

    /** CSeq sequence number, or -1 when absent. */
    public long cseqNumber() {
        return cseqNumber;
    }

    public Method cseqMethod() {
        return cseqMethod;
    }

    public long cseqMethodRange() {
        return cseqMethodRange;
    }

    public long fromUri() {
        return fromUri;
    }

    public long fromTag() {
        return fromTag;
    }

    public long toUri() {
        return toUri;
    }

    public long toTag() {
        return toTag;
    }

    /** Max-Forwards, or -1 when absent. */
    public int maxForwards() {
        return maxForwards;
    }

    /** Content-Length, or -1 when absent. */
    public int contentLength() {
        return contentLength;
    }

    public int routeCount() {
        return routeCount;
    }

    public long firstRoute() {
        return firstRoute;
    }

    /** Header line of the first Route value. */
    public int firstRouteHeader() {
        return firstRouteHeader;
    }

    /** The whole first Route value (name-addr and parameters). */
    public long firstRouteValue() {
        return firstRouteValue;
    }

    /** Start of the second Route value when it shares the first one's header line, else -1. */
    public int firstRouteNext() {
        return firstRouteNext;
    }

    public int recordRouteCount() {
        return recordRouteCount;
    }

    public long firstRecordRoute() {
        return firstRecordRoute;
    }

    public int contactCount() {
        return contactCount;
    }

    public boolean contactIsStar() {
        return contactStar;
    }

    public long firstContact() {
        return firstContact;
    }

    public long userAgent() {
        return userAgent;
    }

    // ------------------------------------------------------------------ value helpers

    /** Decodes a range as a String (allocates: for tests, logs and slow paths). */
    public String string(long range) {
        if (!Range.present(range)) {
            return null;
        }
        return buf.toString(Range.start(range), Range.length(range), StandardCharsets.UTF_8);
    }

    /**
     * A 64-bit hash of the bytes in range, eight bytes a step, for affinity and sketches, without
     * copying. Deterministic across processes (an HA pair must agree on it); not a MAC: where an
     * attacker choosing the input matters, key it or use crypto-tls.
     */
    public long hash(long range) {
        return hash(range, 0x9E3779B97F4A7C15L);
    }

    /**
     * As {@link #hash(long)}, from another starting value: two seeds give two hashes of the same
     * bytes, for a table that checks its key hash against a second one.
     */
    public long hash(long range, long seed) {
        int s = Range.start(range);
        int n = Range.length(range);
        long h = seed ^ n;
        int i = 0;
        if (array != null) {
            byte[] a = array;
            int off = arrayOffset + s;
            for (; i + 8 <= n; i += 8) {
                h = Long.rotateLeft((h ^ (long) LONGS.get(a, off + i)) * 0xBF58476D1CE4E5B9L, 29);
            }
            for (; i < n; i++) {
                h = (h ^ (a[off + i] & 0xFF)) * 0x100000001B3L;
            }
        } else {
            for (; i + 8 <= n; i += 8) {
                h = Long.rotateLeft((h ^ buf.getLongLE(s + i)) * 0xBF58476D1CE4E5B9L, 29);
            }
            for (; i < n; i++) {
                h = (h ^ (buf.getByte(s + i) & 0xFF)) * 0x100000001B3L;
            }
        }
        // SplitMix64 finaliser: nearby inputs (call-1, call-2) land far apart.
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        return h ^ (h >>> 31);
    }

    /** The value of a range holding 1 to 10 decimal digits and nothing else, or -1. */
    public long number(long range) {
        return Range.present(range) ? decimal(Range.start(range), Range.end(range), Long.MAX_VALUE) : -1;
    }

    /** True when the bytes in range equal {@code bytes}, optionally ignoring ASCII case. */
    public boolean contentEquals(long range, byte[] bytes, boolean ignoreCase) {
        if (!Range.present(range) || Range.length(range) != bytes.length) {
            return false;
        }
        int s = Range.start(range);
        for (int i = 0; i < bytes.length; i++) {
            byte a = byteAt(s + i);
            byte b = bytes[i];
            if (ignoreCase) {
                a = lowerAscii(a);
                b = lowerAscii(b);
            }
            if (a != b) {
                return false;
            }
        }
        return true;
    }

    /** True when the value starts with {@code prefix} (exact bytes). */
    public boolean startsWith(long range, byte[] prefix) {
        if (!Range.present(range) || Range.length(range) < prefix.length) {
            return false;
        }
        int s = Range.start(range);
        for (int i = 0; i < prefix.length; i++) {
            if (byteAt(s + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Copies a range into {@code dst} at {@code off}; returns the bytes copied. */
    public int copy(long range, byte[] dst, int off) {
        int n = Math.min(Range.length(range), dst.length - off);
        buf.getBytes(Range.start(range), dst, off, n);
        return n;
    }

    /**
     * The values of one Route, Record-Route or Contact header line {@code h}, in order: each whole
     * value (name-addr with its parameters) into {@code values} and its URI into {@code uris}.
     * Returns how many, or -1 when there are more than the arrays hold (or {@code h} is not such a
     * header). The message was validated when parsed, so this only finds the commas again.
     */
    public int addressValues(int h, long[] values, long[] uris) {
        HeaderName name = h < 0 || h >= headerCount ? null : names[h];
        if (name != HeaderName.ROUTE && name != HeaderName.RECORD_ROUTE && name != HeaderName.CONTACT
            || name == HeaderName.CONTACT && contactStar) {
            return -1;
        }
        Reason keep = reason;
        long v = headerValue(h);
        int p = Range.start(v);
        int e = Range.end(v);
        int n = 0;
        try {
            while (true) {
                int valueStart = ws(p, e);
                int q = nameAddr(valueStart, e, name != HeaderName.CONTACT);
                if (q < 0) {
                    return -1;
                }
                long uri = uriRange;
                q = addressParams(q, e, false);
                if (q < 0 || n == values.length || n == uris.length) {
                    return -1;
                }
                int valueEnd = q;
                while (valueEnd > valueStart && CharClass.isWs(byteAt(valueEnd - 1))) {
                    valueEnd--;
                }
                values[n] = Range.between(valueStart, valueEnd);
                uris[n] = uri;
                n++;
                if (q == e) {
                    return n;
                }
                if (byteAt(q) != ',') {
                    return -1;
                }
                p = q + 1;
            }
        } finally {
            reason = keep;
        }
    }

    /**
     * The value of parameter {@code name} (lower case, e.g. {@code bh}) among the ';'-separated
     * parameters in {@code range} (a URI's parameters, or a Via or name-addr value), or
     * {@link Range#NONE}; a parameter without a value gives an empty range. Names match ignoring
     * case; a ';' inside a quoted string is not a separator.
     */
    public long param(long range, byte[] name) {
        if (!Range.present(range)) {
            return Range.NONE;
        }
        int s = Range.start(range);
        int e = Range.end(range);
        boolean quoted = false;
        for (int i = s; i < e; i++) {
            byte b = byteAt(i);
            if (b == '"') {
                quoted = !quoted;
            }
            if (quoted || b != ';') {
                continue;
            }
            int n = ws(i + 1, e);
            int k = 0;
            while (k < name.length && n + k < e && lowerAscii(byteAt(n + k)) == name[k]) {
                k++;
            }
            int after = n + k;
            if (k < name.length || after < e && CharClass.is(byteAt(after), CharClass.TOKEN)) {
                continue;
            }
            after = ws(after, e);
            if (after == e || byteAt(after) != '=') {
                return Range.of(after, 0);
            }
            int vs = ws(after + 1, e);
            int ve = vs;
            while (ve < e && byteAt(ve) != ';' && byteAt(ve) != '>' && byteAt(ve) != ',' && !CharClass.isWs(byteAt(ve))) {
                ve++;
            }
            return Range.between(vs, ve);
        }
        return Range.NONE;
    }

    /** Parses the SIP URI inside a range (e.g. {@link #firstRoute()}); false if it is not sip/sips. */
    public boolean sipUri(long range, UriParts out) {
        if (!Range.present(range)) {
            return false;
        }
        Reason keep = reason;
        int s = Range.start(range);
        int e = Range.end(range);
        boolean ok = uri(s, e, URI_NAME_ADDR) == e && uriSip;
        reason = keep;
        if (ok) {
            out.user = uriUser;
            out.host = uriHost;
            out.port = uriPort;
            out.params = uriParams;
        }
        return ok;
    }

    private static byte lowerAscii(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b | 0x20) : b;
    }

    @Override
    public String toString() {
        if (buf == null) {
            return "SipMessage[empty]";
        }
        return "SipMessage[" + reason + ", " + (request ? string(methodRange) : "status " + statusCode)
            + ", call-id " + string(callId) + "]";
    }
}
