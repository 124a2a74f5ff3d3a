package org.sipbastion.gateway.firewall;

import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.sipbastion.gateway.events.BackgroundWriter;
import org.sipbastion.tier1.event.AddressText;
import org.sipbastion.tier1.event.Alarm;
import org.sipbastion.tier1.event.AlarmListener;
import org.sipbastion.tier1.event.Offender;

/**
 * Early drop: the addresses tier 1 blocks are also added, with the same timeout, to an nftables set
 * that the operator's ruleset drops in the kernel, before a datagram reaches the gateway. IPv4
 * addresses go to {@code SET}, IPv6 ones to {@code SET6}; both must exist with {@code flags timeout}
 * (docs/tier1.md shows the ruleset). Only offenders tier 1 blocked by address are added: never a
 * trusted source, never the NAT address of a user that was blocked. {@code nft} runs on a thread of
 * its own, one element at a time, from a bounded queue; the event loop never waits.
 */
public final class NftSet extends BackgroundWriter<NftSet.Element> implements AlarmListener {
    record Element(InetAddress address, long seconds) {
    }

    private final String nft;
    private final String family;
    private final String table;
    private final String set;
    private final PrintStream log;
    private final LongAdder added = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private long lastComplaint;

    /** @param target {@code FAMILY:TABLE:SET}, e.g. {@code inet:bastion:offenders} */
    public NftSet(String nft, String target, PrintStream log) {
        super("bastion-nft", "the nftables set " + target, 1024, log);
        String[] p = target.split(":");
        if (p.length != 3 || p[0].isEmpty() || p[1].isEmpty() || p[2].isEmpty() || !target.matches("[A-Za-z0-9_:-]+")) {
            throw new IllegalArgumentException("an nftables set is FAMILY:TABLE:SET (e.g. inet:bastion:offenders), not " + target);
        }
        this.nft = nft;
        this.family = p[0];
        this.table = p[1];
        this.set = p[2];
        this.log = log;
        start();
    }

    @Override
    public void alarm(Alarm a) {
        if (a.blockNanos() <= 0) {
            return;
        }
        long seconds = Math.max(1, a.blockNanos() / 1_000_000_000L);
        for (Offender o : a.offenders()) {
            if (o.blocked() && !enqueue(new Element(o.source(), seconds))) {
                failed.increment();
            }
        }
    }

    /** Elements added to the sets. */
    public long added() {
        return added.sum();
    }

    /** Elements that could not be added (nft failed, or the queue was full). */
    public long failed() {
        return failed.sum();
    }

    @Override
    protected void write(Element e) throws InterruptedException {
        String target = e.address() instanceof Inet4Address ? set : set + "6";
        List<String> cmd = new ArrayList<>(List.of(nft, "add", "element", family, table, target,
            "{ " + AddressText.of(e.address()) + " timeout " + e.seconds() + "s }"));
        if (run(cmd)) {
            added.increment();
        } else {
            failed.increment();
        }
    }

    private boolean run(List<String> cmd) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                complain(String.join(" ", cmd) + ": no answer in 5 s");
                return false;
            }
            if (p.exitValue() != 0) {
                complain(String.join(" ", cmd) + ": " + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
                return false;
            }
            return true;
        } catch (IOException ex) {
            complain(String.join(" ", cmd) + ": " + ex.getMessage());
            return false;
        }
    }

    /** At most one complaint a minute: a missing set must not flood the log during a flood. */
    private void complain(String what) {
        long now = System.nanoTime();
        if (lastComplaint == 0 || now - lastComplaint > 60_000_000_000L) {
            lastComplaint = now;
            log.println("bastion: cannot add to the nftables set (" + failed.sum() + " failed so far): " + what);
        }
    }
}
