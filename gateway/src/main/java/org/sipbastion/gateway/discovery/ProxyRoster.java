package org.sipbastion.gateway.discovery;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The proxies as the data path's handlers know them: one set that the filters ask "is this sender
 * one of our proxies" (tier 1's direction, the open-relay check, topology hiding, the response
 * router), and the handlers that keep per-proxy tables (route token, topology hiding, OPTIONS
 * prober) told of each change. Changed by discovery, on the event loop that reads it; a static
 * configuration never changes it.
 */
public final class ProxyRoster {
    private final Set<InetSocketAddress> members;
    private final Set<InetSocketAddress> view;
    private final List<Consumer<List<InetSocketAddress>>> followers = new ArrayList<>();

    public ProxyRoster(List<InetSocketAddress> proxies) {
        this.members = new HashSet<>(proxies);
        this.view = Collections.unmodifiableSet(members);
    }

    /** The proxies now (removed ones still draining included): a live view. */
    public Set<InetSocketAddress> members() {
        return view;
    }

    /** {@code follower} is given the whole list, by tier 2's index, at each change. */
    public void follow(Consumer<List<InetSocketAddress>> follower) {
        followers.add(follower);
    }

    /** The proxies are now {@code proxies}, by tier 2's index. */
    public void changed(List<InetSocketAddress> proxies) {
        members.clear();
        members.addAll(proxies);
        for (Consumer<List<InetSocketAddress>> f : followers) {
            f.accept(proxies);
        }
    }
}
