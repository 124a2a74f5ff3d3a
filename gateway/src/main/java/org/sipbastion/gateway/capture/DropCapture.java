package org.sipbastion.gateway.capture;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.concurrent.atomic.LongAdder;
import org.pcap4j.core.PcapDumper;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;
import org.sipbastion.gateway.events.BackgroundWriter;
import org.sipbastion.gateway.events.Rotation;

/**
 * Samples of dropped messages in a pcap file, for forensics: what the attack really looked like,
 * readable by Wireshark, tcpdump and {@code bastion replay}. The caller decides what is a sample
 * (the first drop of each detector and source each second); this keeps at most {@code perSecond}
 * of them a second, copies the datagram, and writes on a thread of its own through pcap4j, rotating
 * the file by size ({@code FILE}, {@code FILE.1} ... {@code FILE.keep}). Each datagram is framed as
 * Ethernet and IP to the gateway's address; the event loop never waits.
 */
public final class DropCapture extends BackgroundWriter<DropCapture.Sample> {
    record Sample(long epochMillis, InetSocketAddress source, InetSocketAddress destination, byte[] payload) {
    }

    private final Path file;
    private final long maxBytes;
    private final int keep;
    private final int perSecond;
    private final LongAdder written = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    private final PcapHandle dead;
    private PcapDumper dumper;
    private long size;
    private long second;
    private int taken;

    public DropCapture(Path file, long maxBytes, int keep, int perSecond, PrintStream log) throws IOException {
        super("bastion-drop-capture", "the drop capture " + file, 4096, log);
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = keep;
        this.perSecond = perSecond;
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        CaptureFile.findLibpcap();
        try {
            dead = Pcaps.openDead(DataLinkType.EN10MB, 65_536, PcapHandle.TimestampPrecision.MICRO);
            open();
        } catch (Exception | UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new IOException("cannot write the drop capture " + file + " (libpcap: " + e.getMessage() + ")", e);
        }
        start();
    }

    /**
     * Keeps a sample of a dropped datagram ({@code payload[off, off + len)}, copied now), if this
     * second's quota is not used up. Called on the event loop.
     */
    public void offer(long epochMillis, InetSocketAddress source, InetSocketAddress destination, io.netty.buffer.ByteBuf payload,
                      int off, int len) {
        long s = epochMillis / 1000;
        if (s != second) {
            second = s;
            taken = 0;
        }
        if (taken >= perSecond) {
            skipped.increment();
            return;
        }
        taken++;
        byte[] copy = new byte[len];
        payload.getBytes(off, copy);
        if (!enqueue(new Sample(epochMillis, source, destination, copy))) {
            skipped.increment();
        }
    }

    /** Samples written to the capture. */
    public long written() {
        return written.sum();
    }

    /** Samples over the per-second quota or the queue. */
    public long skipped() {
        return skipped.sum();
    }

    @Override
    protected void write(Sample s) throws Exception {
        InetSocketAddress dst = s.destination();
        if (dst.getAddress().getClass() != s.source().getAddress().getClass()) {
            // A dual-stack listener received an IPv6 datagram on an IPv4 address or the reverse:
            // frame it to the unspecified address of the sender's family.
            dst = new InetSocketAddress(s.source().getAddress() instanceof java.net.Inet4Address ? "0.0.0.0" : "::",
                dst.getPort());
        }
        byte[] frame = Frames.frame(s.source(), dst, 17, 0, s.payload(), 0, s.payload().length);
        dumper.dumpRaw(frame, new Timestamp(s.epochMillis()));
        written.increment();
        size += frame.length + 16;
        if (size >= maxBytes) {
            rotate();
        }
    }

    @Override
    protected void idle() throws Exception {
        dumper.flush();
    }

    @Override
    protected void finish() {
        if (dumper != null) {
            dumper.close();
        }
        dead.close();
    }

    private void open() throws Exception {
        dumper = dead.dumpOpen(file.toString());
        size = 24;
    }

    private void rotate() throws Exception {
        dumper.close();
        Rotation.shift(file, keep);
        open();
    }
}
