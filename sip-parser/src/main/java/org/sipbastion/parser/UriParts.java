package org.sipbastion.parser;

/** Positions of the parts of a SIP URI, filled by {@link SipMessage#sipUri}; reusable. */
public final class UriParts {
    long user = Range.NONE;
    long host = Range.NONE;
    int port = -1;
    long params = Range.NONE;

    public long user() {
        return user;
    }

    public long host() {
        return host;
    }

    /** The port, or -1 when the URI has none. */
    public int port() {
        return port;
    }

    /** All uri-parameters, each with its leading ';'. */
    public long params() {
        return params;
    }
}
