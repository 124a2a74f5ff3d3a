package org.sipbastion.perf.quality;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.sipbastion.gateway.capture.CaptureFile;
import org.sipbastion.gateway.capture.PacketDecoder;
import org.sipbastion.gateway.capture.Segment;

/**
 * The attack tools' own messages: UDP payloads of the captures recorded by
 * {@code perf-tests/attacks/record.sh} (SIPp, sipsak, SIPVicious), read with the gateway's pcap
 * reader. The harness keeps their bytes and chooses their timing and addresses itself.
 */
final class Captures {
    private Captures() {
    }

    static List<byte[]> payloads(String name) {
        String resource = "/attacks/" + name + ".pcap";
        try (InputStream in = Captures.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing capture " + resource + " (perf-tests/attacks/record.sh makes it)");
            }
            Path tmp = Files.createTempFile("attack-", ".pcap");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                return read(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    private static List<byte[]> read(Path file) throws IOException {
        List<byte[]> out = new ArrayList<>();
        PacketDecoder decoder = new PacketDecoder();
        try (CaptureFile f = CaptureFile.open(file)) {
            while (f.next()) {
                Segment s = decoder.decode(f.linkType(), f.frame(), f.timeNanos());
                if (s != null && !s.tcp() && s.length() > 0) {
                    out.add(Arrays.copyOfRange(s.data(), s.offset(), s.offset() + s.length()));
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException(file + " holds no UDP payloads");
        }
        return out;
    }
}
