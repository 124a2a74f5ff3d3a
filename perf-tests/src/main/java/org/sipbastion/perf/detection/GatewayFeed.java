package org.sipbastion.perf.detection;

import java.net.InetAddress;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.tier1.bloom.CallRateStage;

/**
 * Hands messages to the stage the way {@code AnomalyHandler} does once a request has passed the
 * control and dialog stages: requests with their source, responses as verified answers, and a tick
 * after each one. Every simulated message passes here, so it also counts them and notes what each
 * did to the raised cells.
 */
final class GatewayFeed {
    private final CallRateStage stage;
    private final LoadMonitor monitor;
    private long messages;
    private int lastChange;

    GatewayFeed(CallRateStage stage, LoadMonitor monitor) {
        this.stage = stage;
        this.monitor = monitor;
    }

    void request(SipMessage m, InetAddress source, long now) {
        int before = stage.filter().raisedCells();
        stage.request(m, source, now);
        lastChange = stage.filter().raisedCells() - before;
        messages++;
        monitor.tick(now);
    }

    void response(SipMessage m, long now) {
        int before = stage.filter().raisedCells();
        stage.response(m, now);
        lastChange = stage.filter().raisedCells() - before;
        messages++;
        monitor.tick(now);
    }

    /** How the last message itself (not the tick after it) changed the raised cells. */
    int lastChange() {
        return lastChange;
    }

    long messages() {
        return messages;
    }
}
