package org.sipbastion.gateway;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.sipbastion.crypto.mac.MacKeyRing;
import org.sipbastion.parser.Limits;
import org.sipbastion.tier1.rules.Rules;

/**
 * What one gateway instance needs to run (the first slice: static proxies, UDP).
 *
 * @param listen     local UDP address and port
 * @param advertised host name or address we put in Via and Record-Route (what peers send back to)
 * @param proxies    the proxy farm behind us, in configuration order
 * @param keys       HMAC keys for derived branches
 * @param limits     parser limits
 * @param rules      tier 1's rules (thresholds, profiles, match rules)
 * @param rulePaths  where the rules were read from, reloaded on change; empty: built in, not watched
 * @param stateDir   where learned state (tier 1's baseline) is kept across restarts; null: nowhere
 * @param eventLog   JSON-lines file for tier 1's drops and alarms (rotated); null: none
 * @param dropCapture pcap file for samples of dropped datagrams (rotated); null: none
 * @param nftSet     FAMILY:TABLE:SET that blocked addresses are added to (early drop); null: none
 */
public record GatewayConfig(
    InetSocketAddress listen, String advertised, List<InetSocketAddress> proxies, MacKeyRing keys, Limits limits,
    Rules rules, List<Path> rulePaths, Path stateDir, Path eventLog, Path dropCapture, String nftSet) {

    /** With tier 1's default rules, no rule files to watch, no state kept. */
    public GatewayConfig(InetSocketAddress listen, String advertised, List<InetSocketAddress> proxies, MacKeyRing keys,
                         Limits limits) {
        this(listen, advertised, proxies, keys, limits, Rules.defaults());
    }

    /** With these rules, no rule files to watch, no state kept. */
    public GatewayConfig(InetSocketAddress listen, String advertised, List<InetSocketAddress> proxies, MacKeyRing keys,
                         Limits limits, Rules rules) {
        this(listen, advertised, proxies, keys, limits, rules, List.of(), null, null, null, null);
    }

    public GatewayConfig {
        if (proxies.isEmpty()) {
            throw new IllegalArgumentException("at least one proxy is needed");
        }
        if (advertised == null || advertised.isBlank()) {
            if (listen.getAddress().isAnyLocalAddress()) {
                throw new IllegalArgumentException(
                    "listening on all addresses (" + listen + "): say which address peers reach us at (--advertise)");
            }
            advertised = listen.getAddress().getHostAddress();
        }
        proxies = List.copyOf(proxies);
        rulePaths = List.copyOf(rulePaths);
    }

    public GatewayConfig withListen(InetSocketAddress address) {
        return new GatewayConfig(address, advertised, proxies, keys, limits, rules, rulePaths, stateDir, eventLog, dropCapture,
            nftSet);
    }
}
