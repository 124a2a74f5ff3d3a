package org.sipbastion.tier2.farm;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.sipbastion.parser.Method;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.tier2.affinity.RendezvousSelector;
import org.sipbastion.tier2.dialog.DialogTable;
import org.sipbastion.tier2.pool.Balancer;
import org.sipbastion.tier2.pool.ProxyPool;
import org.sipbastion.tier2.pool.ProxySpec;
import org.sipbastion.tier2.pool.TransactionKind;

/**
 * Tier 2 as the data path sees it: the proxies by address, what is measured about them, the dialog
 * table, and the decision for new work. The forwarder asks {@link #route} where a client's request
 * goes and reports each request it {@link #forwarded}; every verified response is reported with
 * {@link #responded}. Not thread-safe: one per event loop.
 *
 * <p>A client's request goes, in this order: to the proxy our route token names (an in-dialog
 * request, proven); to the proxy the dialog table holds for its Call-ID (a retransmitted INVITE, its
 * CANCEL, the ACK of a failed INVITE, an in-dialog request whose client dropped our Record-Route);
 * else it is new work and is chosen below. A dialog whose proxy is down is answered 481 or moved to a
 * survivor, as configured ({@link DeadProxyDialogs}); a draining proxy keeps its dialogs.
 *
 * <p>Which requests the balancer decides: a new call (INVITE without To tag). A REGISTER is pinned
 * to a proxy by its address-of-record (rendezvous hashing over the usable proxies), so that its
 * refreshes and un-registration meet the binding they change; every other out-of-dialog request
 * (OPTIONS, SUBSCRIBE, MESSAGE, and a CANCEL or ACK whose INVITE is not known) by its Call-ID, so
 * that its retransmissions reach the proxy that has its transaction.
 */
public final class ProxyFarm {
    /** Each slot's proxy, by index; a slot freed and reused holds its new proxy. */
    private final List<InetSocketAddress> addresses = new ArrayList<>();
    private final List<InetSocketAddress> addressesView = java.util.Collections.unmodifiableList(addresses);
    private final Map<InetSocketAddress, Integer> index = new HashMap<>();
    private final ProxyPool pool;
    private final Balancer balancer;
    private RendezvousSelector<Integer> pinned;
    private final RendezvousSelector.Availability<Integer> usable;
    private final DialogTable dialogs;
    private final DeadProxyDialogs deadProxyDialogs;
    /** Wall-clock milliseconds at nanosecond clock zero: the dialog table's times survive a restart. */
    private final long wallOffsetMillis;
    private final int sweepSegments;
    private final long seed;
    /** The last message hashed, where its Call-ID was, and the Call-ID's hashes (see {@link #callIdKey}). */
    private SipMessage hashedMessage;
    private long hashedRange;
    private Object hashedBuffer;
    private boolean haveKey;
    private boolean haveSeeded;
    private long callIdKey;
    private long callIdSeeded;

    /** What {@link #route} returns for a dialog whose proxy is down when such dialogs are rejected (481). */
    public static final InetSocketAddress DIALOG_GONE = InetSocketAddress.createUnresolved("dialog-gone.invalid", 9);
    /**
     * What {@link #route} returns for a request that claims a dialog (a To tag) we have no trace of:
     * no route token, no row, no pending transaction (481). Without this a made-up To tag would
     * carry any Request-URI to a proxy as if in-dialog.
     */
    public static final InetSocketAddress NO_DIALOG = InetSocketAddress.createUnresolved("no-dialog.invalid", 9);

    /**
     * Rows the sweeper may visit a second, on the event loop: the whole table is swept about every
     * 10 s, but never more than this at a time (a table of 100 million rows takes ~25 minutes).
     */
    private static final long SWEEP_ROWS_PER_TICK = 65_536;
    private static final int SWEEP_ROUNDS = 10;

    /**
     * @param proxies  each proxy's address, in configuration order
     * @param specs    their priority, weight and capacity, in the same order
     * @param balancer the algorithm for new calls
     * @param dialogs  opens the dialog table, told of dialogs opening and closing (null: in memory, 64k rows)
     * @param seed     keys the pending-transaction table's hash: an outsider cannot aim Call-IDs at
     *                 chosen slots to push real transactions out (a per-process random value)
     * @param now      the clock's value now, nanoseconds
     */
    public ProxyFarm(List<InetSocketAddress> proxies, List<ProxySpec> specs, Balancer balancer,
                     int pendingTransactions, TableOpener dialogs, DeadProxyDialogs deadProxyDialogs, long seed,
                     long now) {
        this(proxies, specs, proxies.size(), balancer, pendingTransactions, dialogs, deadProxyDialogs, seed, now);
    }

    /**
     * As above, with room for {@code slots} proxies: discovery may {@link #update} the set while the
     * farm runs (a static configuration has exactly its proxies).
     */
    public ProxyFarm(List<InetSocketAddress> proxies, List<ProxySpec> specs, int slots, Balancer balancer,
                     int pendingTransactions, TableOpener dialogs, DeadProxyDialogs deadProxyDialogs, long seed,
                     long now) {
        this.seed = seed;
        if (proxies.size() != specs.size()) {
            throw new IllegalArgumentException("one spec per proxy");
        }
        for (int i = 0; i < proxies.size(); i++) {
            if (index.putIfAbsent(proxies.get(i), i) != null) {
                throw new IllegalArgumentException("proxy " + proxies.get(i) + " is listed twice");
            }
            addresses.add(proxies.get(i));
        }
        this.pool = new ProxyPool(specs, slots, pendingTransactions, now);
        this.balancer = balancer;
        this.pinned = addresses.isEmpty() ? null : new RendezvousSelector<>(indexes());
        this.usable = pool::usable;
        this.deadProxyDialogs = deadProxyDialogs;
        this.wallOffsetMillis = System.currentTimeMillis() - now / 1_000_000;
        DialogTable.Listener counts = new DialogTable.Listener() {
            @Override
            public void opened(InetSocketAddress proxy) {
                int i = indexOf(proxy);
                if (i >= 0) {
                    pool.dialogOpened(i);
                }
            }

            @Override
            public void closed(InetSocketAddress proxy) {
                int i = indexOf(proxy);
                if (i >= 0) {
                    pool.dialogClosed(i);
                }
            }
        };
        this.dialogs = dialogs == null
            ? new DialogTable(null, 1 << 16, DEFAULT_TTL_MILLIS, addresses, counts)
            : dialogs.open(addresses, counts);
        // Whatever its expiry says, a dialog found after a restart is swept on the table's own schedule.
        int segments = this.dialogs.segments();
        long rowsPerSegment = Math.max(1, this.dialogs.capacity() / segments);
        this.sweepSegments = (int) Math.max(1, Math.min((segments + SWEEP_ROUNDS - 1) / SWEEP_ROUNDS,
            SWEEP_ROWS_PER_TICK / rowsPerSegment));
    }

    /** Kamailio's dialog module default: a confirmed dialog not heard of in 12 hours is dropped. */
    public static final long DEFAULT_TTL_MILLIS = 12 * 3_600_000L;

    /**
     * Where a client's request goes: the proxy, {@link #DIALOG_GONE}, or null when no proxy is usable.
     *
     * @param tokenProxy the proxy our route token in the request names, or null
     */
    public InetSocketAddress route(SipMessage m, InetSocketAddress tokenProxy, long now) {
        boolean initialInvite = m.method() == Method.INVITE && !Range.present(m.toTag());
        rehash(); // the message's bytes may have changed since it was last seen: hash it afresh
        InetSocketAddress target = tokenProxy != null ? tokenProxy : dialogs.proxyOf(m, callIdKey(m));
        if (target == null && tokenProxy == null) {
            // No row (the table was full, or a hash collided): a retransmitted INVITE or its CANCEL
            // still finds the proxy that has the INVITE's transaction.
            int p = pool.transactions().proxyOf(transactionKey(m, Method.INVITE));
            target = p < 0 ? null : addresses.get(p);
        }
        if (target != null) {
            int i = indexOf(target);
            if (i < 0 || pool.reachable(i)) {
                return target; // also a proxy no longer configured: its dialogs finish there
            }
            if (initialInvite) {
                return chooseHashed(m, now); // a new attempt at a call whose proxy went down: new work
            }
            if (deadProxyDialogs == DeadProxyDialogs.REJECT) {
                return DIALOG_GONE;
            }
            // Re-routed by Call-ID over the survivors: every request of the dialog to the same one,
            // and the dead proxy's dialogs spread over all of them.
            Integer p = pinned == null ? null : pinned.select(callIdKey(m), usable);
            return p == null ? null : addresses.get(p);
        }
        if (Range.present(m.toTag())) {
            return NO_DIALOG;
        }
        return chooseHashed(m, now);
    }

    /** Specs named by address, priority 0, weight 1, capacity unknown. */
    public static List<ProxySpec> plainSpecs(List<InetSocketAddress> proxies) {
        List<ProxySpec> specs = new ArrayList<>();
        for (InetSocketAddress p : proxies) {
            specs.add(ProxySpec.of(name(p)));
        }
        return specs;
    }

    /** host:port, with IPv6 in brackets and in its short form (RFC 5952). */
    public static String name(InetSocketAddress p) {
        String host = io.netty.util.NetUtil.toAddressString(p.getAddress());
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + p.getPort();
    }

    /** The proxy for out-of-dialog request {@code m}, or null when no proxy is usable. */
    public InetSocketAddress choose(SipMessage m, long now) {
        rehash();
        return chooseHashed(m, now);
    }

    private InetSocketAddress chooseHashed(SipMessage m, long now) {
        int i;
        if (m.method() == Method.INVITE && !Range.present(m.toTag())) {
            i = balancer.select(pool, callIdKey(m), now);
        } else if (m.method() == Method.REGISTER) {
            Integer p = pinned == null ? null : pinned.select(m.hash(m.toUri()), usable);
            i = p == null ? -1 : p;
        } else {
            Integer p = pinned.select(callIdKey(m), usable);
            i = p == null ? -1 : p;
        }
        return i < 0 ? null : addresses.get(i);
    }

    /**
     * Request {@code m} from a client was forwarded to {@code proxy}: new work for it (a
     * retransmission is not). An initial INVITE opens (or reopens) its dialog row here, once it has
     * really left: a request refused on the way opens nothing. {@code m} must be the message as
     * {@link #route} saw it (its Call-ID hashes are reused, not computed again).
     */
    public void forwarded(SipMessage m, InetSocketAddress proxy, long now) {
        if (m.method() == Method.INVITE && !Range.present(m.toTag())) {
            dialogs.open(m, callIdKey(m), proxy, millis(now));
        } else {
            dialogs.request(m, millis(now));
        }
        Integer i = index.get(proxy);
        if (i != null && m.method() != Method.ACK) { // ACK has no response: no transaction to count
            pool.sent(i, kind(m.method()), transactionKey(m, m.method()), now);
        }
        rehash();
    }

    /** Request {@code m} from proxy {@code proxy} was forwarded to a client (the callee's BYE, say). */
    public void forwardedFromProxy(SipMessage m, long now) {
        dialogs.request(m, millis(now));
    }

    /**
     * A verified response {@code m} from {@code from} (a proxy, or a client answering a proxy's
     * request): moves its dialog on, and ends or advances the proxy transaction it answers.
     */
    public void responded(SipMessage m, InetSocketAddress from, long now) {
        rehash();
        dialogs.response(m, millis(now));
        Integer i = index.get(from);
        if (i == null) {
            return;
        }
        pool.responded(i, kind(m.cseqMethod()), transactionKey(m, m.cseqMethod()), m.statusCode(), now);
    }

    /**
     * Transparent forwarding: the gateway sees no response. The dialog table confirms dialogs on
     * the ACK; the pending-transaction table still records what was sent (a CANCEL finds its INVITE's
     * proxy there), and each entry ends as a timeout of its proxy, which only the response-learning
     * algorithms would read, and those are refused in this mode.
     */
    public void responsesUnseen(boolean unseen) {
        dialogs.responsesUnseen(unseen);
    }

    /** Gives up on unanswered transactions and sweeps a slice of the dialog table (call about once a second). */
    public void expire(long now) {
        pool.expire(now);
        dialogs.sweep(millis(now), sweepSegments);
    }

    public DialogTable dialogs() {
        return dialogs;
    }

    /** Closes the dialog table (its file stays for the next start). */
    public void close() {
        dialogs.close();
    }

    private long millis(long nanos) {
        return wallOffsetMillis + nanos / 1_000_000;
    }

    /** Opens the dialog table once the farm knows its proxies and its listener. */
    @FunctionalInterface
    public interface TableOpener {
        DialogTable open(List<InetSocketAddress> proxies, DialogTable.Listener listener);
    }

    /** What happens to the requests of a dialog whose proxy is down. */
    public enum DeadProxyDialogs {
        /** 481 Call/Transaction Does Not Exist: the proxies do not share dialog state (the default). */
        REJECT,
        /** To a survivor chosen by Call-ID: the proxies share dialog state (a shared database). */
        REROUTE
    }

    /** The index of the proxy at {@code address}, or -1 when it is not one of ours. */
    public int indexOf(InetSocketAddress address) {
        Integer i = index.get(address);
        return i == null ? -1 : i;
    }

    public InetSocketAddress address(int i) {
        return addresses.get(i);
    }

    /** The proxies by index (those removed by discovery and draining included). */
    public List<InetSocketAddress> addresses() {
        return addressesView;
    }

    private List<Integer> indexes() {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < addresses.size(); i++) {
            all.add(i);
        }
        return all;
    }

    /**
     * Applies the proxy set discovery found (DNS SRV): a proxy already known keeps its index and its
     * measurements and takes its new priority and weight; a new one takes a free slot, usable at once
     * with its ramp-up; a known one missing from the set drains (no new calls, its dialogs finish
     * there), and its slot is reused once nothing of it remains. A proxy an operator drained or
     * health took down stays so. An empty set changes nothing: DNS that answers nothing is taken
     * as a fault of DNS, not as the end of every proxy.
     */
    public Update update(List<InetSocketAddress> proxies, List<ProxySpec> specs, long now) {
        if (proxies.size() != specs.size()) {
            throw new IllegalArgumentException("one spec per proxy");
        }
        List<InetSocketAddress> added = new ArrayList<>();
        List<InetSocketAddress> removed = new ArrayList<>();
        List<InetSocketAddress> refused = new ArrayList<>();
        List<InetSocketAddress> respecified = new ArrayList<>();
        if (proxies.isEmpty()) {
            return new Update(added, removed, refused, respecified);
        }
        java.util.Set<InetSocketAddress> listed = new java.util.HashSet<>(proxies);
        for (int i = 0; i < addresses.size(); i++) {
            InetSocketAddress a = addresses.get(i);
            if (!listed.contains(a) && !pool.removed(i)) {
                pool.remove(i);
                removed.add(a);
            }
        }
        for (int k = 0; k < proxies.size(); k++) {
            InetSocketAddress a = proxies.get(k);
            Integer i = index.get(a);
            if (i != null) {
                boolean back = pool.removed(i);
                boolean other = !pool.spec(i).equals(specs.get(k));
                pool.respec(i, specs.get(k), now);
                if (back) {
                    added.add(a);
                } else if (other) {
                    respecified.add(a);
                }
                continue;
            }
            int slot = pool.assign(specs.get(k), now);
            if (slot < 0) {
                refused.add(a);
                continue;
            }
            if (slot < addresses.size()) {
                index.remove(addresses.get(slot));
                addresses.set(slot, a);
            } else {
                addresses.add(a);
            }
            index.put(a, slot);
            added.add(a);
        }
        if (!added.isEmpty()) {
            pinned = new RendezvousSelector<>(indexes());
            dialogs.know(addresses);
        }
        return new Update(added, removed, refused, respecified);
    }

    /**
     * What {@link #update} did: proxies added (or listed again), removed (now draining), refused for
     * want of a free slot (every slot holds a proxy or a removed one still finishing its dialogs),
     * and given another priority or weight.
     */
    public record Update(List<InetSocketAddress> added, List<InetSocketAddress> removed,
                         List<InetSocketAddress> refused, List<InetSocketAddress> respecified) {
        public boolean changed() {
            return !added.isEmpty() || !removed.isEmpty();
        }
    }

    public ProxyPool pool() {
        return pool;
    }

    public Balancer balancer() {
        return balancer;
    }

    private static TransactionKind kind(Method method) {
        return method == Method.INVITE ? TransactionKind.INVITE
            : method == Method.BYE ? TransactionKind.BYE : TransactionKind.OTHER;
    }

    /** A transaction: Call-ID, CSeq number and method (a request and its responses share all three). */
    private long transactionKey(SipMessage m, Method method) {
        return (callIdSeeded(m) * 0x9E3779B97F4A7C15L + m.cseqNumber()) * 31 + method.ordinal();
    }

    /**
     * The dialog table's key of {@code m}'s Call-ID ({@link DialogTable#key}). Each Call-ID hash is
     * computed once per message: {@link #route} starts afresh ({@link #rehash}) and {@link #forwarded},
     * called for the same message once it has been sent, reuses what route computed (the same object,
     * its Call-ID at the same place in the same buffer), then forgets it.
     */
    private long callIdKey(SipMessage m) {
        sameMessage(m);
        if (!haveKey) {
            callIdKey = DialogTable.key(m);
            haveKey = true;
        }
        return callIdKey;
    }

    /** {@code m}'s Call-ID hashed with this process's seed (the pending-transaction key), as {@link #callIdKey}. */
    private long callIdSeeded(SipMessage m) {
        sameMessage(m);
        if (!haveSeeded) {
            callIdSeeded = m.hash(m.callId(), seed);
            haveSeeded = true;
        }
        return callIdSeeded;
    }

    private void sameMessage(SipMessage m) {
        long range = m.callId();
        if (m != hashedMessage || range != hashedRange || m.buffer() != hashedBuffer) {
            hashedMessage = m;
            hashedRange = range;
            hashedBuffer = m.buffer();
            haveKey = false;
            haveSeeded = false;
        }
    }

    /** Forgets the hashes of the last message: the next call hashes its message afresh. */
    private void rehash() {
        hashedMessage = null;
        hashedBuffer = null;
        haveKey = false;
        haveSeeded = false;
    }
}
