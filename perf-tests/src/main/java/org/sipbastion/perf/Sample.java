package org.sipbastion.perf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * The benchmark messages (see {@code samples/README.md} beside them). The files use LF line ends;
 * {@link #bytes()} turns each LF into CRLF so that both parsers see standard SIP.
 */
public enum Sample {
    INVITE("invite.sip"),
    OK_200("ok200.sip"),
    BYE("bye.sip"),
    REGISTER("register.sip");

    private final String file;

    Sample(String file) {
        this.file = file;
    }

    /** A fresh copy of the message bytes, CRLF line ends. */
    public byte[] bytes() {
        byte[] raw;
        try (InputStream in = Sample.class.getResourceAsStream("samples/" + file)) {
            if (in == null) {
                throw new IllegalStateException("missing resource samples/" + file);
            }
            raw = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] out = new byte[raw.length * 2];
        int n = 0;
        for (byte b : raw) {
            if (b == '\r') {
                throw new IllegalStateException(file + " must use LF line ends; the loader adds the CR");
            }
            if (b == '\n') {
                out[n++] = '\r';
            }
            out[n++] = b;
        }
        return Arrays.copyOf(out, n);
    }
}
