package org.sipbastion.gateway.capture;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeoutException;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;

/**
 * A pcap or pcapng file read through pcap4j (libpcap underneath, which reads both formats), one
 * raw frame at a time with its capture time in nanoseconds.
 */
public final class CaptureFile implements AutoCloseable {
    private static final String LIB_PROPERTY = "org.pcap4j.core.pcapLibName";

    private final PcapHandle handle;
    private final int linkType;
    private byte[] frame;
    private long timeNanos;

    private CaptureFile(PcapHandle handle) {
        this.handle = handle;
        this.linkType = handle.getDlt().value();
    }

    /** Opens a capture; an IOException says why not (missing file, not a capture, no libpcap). */
    public static CaptureFile open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such file");
        }
        findLibpcap();
        try {
            return new CaptureFile(Pcaps.openOffline(file.toString(), PcapHandle.TimestampPrecision.NANO));
        } catch (PcapNativeException e) {
            throw new IOException(file + ": not a capture libpcap can read (" + e.getMessage() + ")", e);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new IOException("libpcap is not installed (Debian: apt-get install libpcap0.8): " + e.getMessage(), e);
        }
    }

    /**
     * Debian ships libpcap.so only in libpcap-dev; the runtime package has libpcap.so.0.8. Point
     * pcap4j at that one unless told otherwise, so a machine without the -dev package works.
     */
    static void findLibpcap() {
        if (System.getProperty(LIB_PROPERTY) != null) {
            return;
        }
        for (String dir : new String[] {"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib"}) {
            for (String name : new String[] {"libpcap.so", "libpcap.so.1", "libpcap.so.0.8"}) {
                if (Files.exists(Path.of(dir, name))) {
                    System.setProperty(LIB_PROPERTY, Path.of(dir, name).toString());
                    return;
                }
            }
        }
    }

    public int linkType() {
        return linkType;
    }

    /** Moves to the next frame; false at the end of the file. */
    public boolean next() throws IOException {
        try {
            frame = handle.getNextRawPacketEx();
            java.sql.Timestamp ts = handle.getTimestamp();
            timeNanos = ts.getTime() / 1000 * 1_000_000_000L + ts.getNanos();
            return true;
        } catch (EOFException e) {
            return false;
        } catch (PcapNativeException | TimeoutException | NotOpenException e) {
            throw new IOException("cannot read the next frame: " + e.getMessage(), e);
        }
    }

    public byte[] frame() {
        return frame;
    }

    public long timeNanos() {
        return timeNanos;
    }

    @Override
    public void close() {
        handle.close();
    }
}
