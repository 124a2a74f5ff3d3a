package org.sipbastion.gateway.capture;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sipbastion.parser.Limits;
import org.sipbastion.parser.StreamFramer;

/**
 * Captured TCP segments back into SIP messages: one byte stream per direction of each connection,
 * cut by {@link StreamFramer} (Content-Length framing). Retransmitted bytes are skipped by sequence
 * number; a gap (a segment the capture missed) loses the stream's partial message and starts over
 * at the next segment, counted. At most {@code maxStreams} streams are kept, the least recently
 * active evicted first, and each is bounded by the parser's message size limit.
 */
final class TcpStreams {
    /** Receives each complete message: {@code buf} readable bytes {@code [offset, offset + length)}. */
    interface Sink {
        void message(Segment via, ByteBuf buf, int offset, int length);
    }

    private record Key(InetSocketAddress source, InetSocketAddress destination) {
    }

    private static final class Stream {
        final ByteBuf bytes = Unpooled.buffer(2048);
        final StreamFramer framer;
        long next;
        /** Decided on its first segment: a stream that does not start as SIP is ignored. */
        boolean sip;

        Stream(Limits limits, long next) {
            this.framer = new StreamFramer(limits);
            this.next = next;
        }
    }

    private final Limits limits;
    private final Map<Key, Stream> streams;
    private long gaps;
    private long broken;

    TcpStreams(Limits limits, int maxStreams) {
        this.limits = limits;
        this.streams = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Stream> eldest) {
                return size() > maxStreams;
            }
        };
    }

    /** Feeds a segment; returns false when its stream is not SIP (and the segment was ignored). */
    boolean feed(Segment s, SipSniffer sniffer, Sink sink) {
        Key key = new Key(s.source(), s.destination());
        Stream st = streams.get(key);
        if (st == null) {
            st = new Stream(limits, s.sequence());
            st.sip = sniffer.sipPort(s) || SipSniffer.looksLikeSip(s.data(), s.offset(), s.length());
            streams.put(key, st);
        }
        if (!st.sip) {
            return false;
        }
        int ahead = (int) (s.sequence() - st.next); // 32-bit sequence space, wraps
        int skip = 0;
        if (ahead > 0) {
            gaps++;
            st.bytes.clear();
            st.next = s.sequence();
        } else if (ahead < 0) {
            skip = -ahead;
            if (skip >= s.length()) {
                return true; // a retransmission of bytes we have
            }
        }
        st.bytes.writeBytes(s.data(), s.offset() + skip, s.length() - skip);
        st.next = (st.next + s.length() - skip) & 0xFFFFFFFFL;
        while (true) {
            int r = st.framer.next(st.bytes);
            if (r == StreamFramer.FRAME) {
                sink.message(s, st.bytes, st.framer.frameStart(), st.framer.frameLength());
                st.bytes.skipBytes(st.framer.frameStart() + st.framer.frameLength() - st.bytes.readerIndex());
            } else if (r == StreamFramer.ERROR) {
                broken++;
                st.bytes.clear();
                streams.remove(key);
                return true;
            } else {
                break;
            }
        }
        st.bytes.discardReadBytes();
        return true;
    }

    /** Segments after a hole in the capture: the partial message before it was lost. */
    long gaps() {
        return gaps;
    }

    /** Streams that stopped being SIP (framing error): dropped from then on. */
    long broken() {
        return broken;
    }
}
