package org.sipbastion.parser;

/**
 * One parsed Via value (via-parm), as positions into the message it came from. Instances are owned
 * and reused by {@link SipMessage}; read them before the message is parsed again.
 */
public final class Via {
    int header;
    int start;
    int end;
    int next;
    long transport;
    long host;
    int port;
    long branch;
    long received;
    long maddr;
    int rport;
    int rportEnd;

    void reset() {
        header = -1;
        start = end = next = -1;
        transport = host = branch = received = maddr = Range.NONE;
        port = -1;
        rport = -1;
        rportEnd = -1;
    }

    /** Index of the header line holding this value. */
    public int header() {
        return header;
    }

    /** First byte of this via-parm. */
    public int start() {
        return start;
    }

    /**
     * One past the last byte of this via-parm (parameters included, trailing space excluded): where
     * a new parameter is appended.
     */
    public int end() {
        return end;
    }

    /** Start of the next via-parm in the same header line, or -1 when this one is the last. */
    public int next() {
        return next;
    }

    public long transport() {
        return transport;
    }

    public long host() {
        return host;
    }

    /** The sent-by port, or -1 when absent. */
    public int port() {
        return port;
    }

    public long branch() {
        return branch;
    }

    public long received() {
        return received;
    }

    public long maddr() {
        return maddr;
    }

    /** RFC 3581: -1 absent, 0 present without value, else the value. */
    public int rport() {
        return rport;
    }

    /** One past the "rport" parameter (name and any value), or -1. */
    public int rportEnd() {
        return rportEnd;
    }

}
