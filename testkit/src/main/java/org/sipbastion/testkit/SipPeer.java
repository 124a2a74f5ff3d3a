package org.sipbastion.testkit;

import java.nio.file.Path;

/** An external SIP peer a test started: where it listens, where its files are, and its process. */
public abstract class SipPeer implements AutoCloseable {
    private final String host;
    private final int port;
    private final Path runDir;
    private final ManagedProcess process;

    SipPeer(String host, int port, Path runDir, ManagedProcess process) {
        this.host = host;
        this.port = port;
        this.runDir = runDir;
        this.process = process;
    }

    public String host() {
        return host;
    }

    /** The local SIP port the peer listens on. */
    public int port() {
        return port;
    }

    /** {@code host:port} as SIPp and Kamailio take it. */
    public String address() {
        return host + ":" + port;
    }

    public Path runDir() {
        return runDir;
    }

    public ManagedProcess process() {
        return process;
    }

    /** Stops the peer and every process it started. */
    @Override
    public void close() {
        process.close();
    }
}
