package org.sipbastion.tier1.rules;

import java.net.InetAddress;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.sipbastion.tier1.dispersion.ControlStage;

/**
 * A {@code [profile NAME]}: a class of sources (a trusted trunk, a NAT'd office) with its own
 * treatment by the control stage. The first profile whose {@code source} holds an address applies.
 */
public final class Profile {
    private final String name;
    private final List<Cidr> sources;
    private final boolean trusted;
    private final ControlStage.Limits limits;
    private final Map<RuleKey, Object> written;

    Profile(String name, List<Cidr> sources, boolean trusted, ControlStage.Limits limits, Map<RuleKey, Object> written) {
        this.name = name;
        this.sources = List.copyOf(sources);
        this.trusted = trusted;
        this.limits = limits;
        this.written = new EnumMap<>(RuleKey.class);
        this.written.putAll(written);
    }

    /** The profile with its limits resolved: what it sets, else the [control] section's values. */
    Profile withDefaults(Map<RuleKey, Object> global) {
        double floodRate = (Double) written.getOrDefault(RuleKey.PROFILE_FLOOD_RATE, global.get(RuleKey.CONTROL_FLOOD_RATE));
        double rate = (Double) written.getOrDefault(RuleKey.PROFILE_RATE_LIMIT, global.get(RuleKey.CONTROL_RATE_LIMIT));
        long burst = (Long) written.getOrDefault(RuleKey.PROFILE_RATE_BURST, global.get(RuleKey.CONTROL_RATE_BURST));
        boolean judge = (Boolean) written.getOrDefault(RuleKey.PROFILE_JUDGE_ADDRESS, Boolean.TRUE);
        return new Profile(name, sources, trusted, new ControlStage.Limits(floodRate, rate, burst, judge), written);
    }

    public String name() {
        return name;
    }

    /** Never rate-limited, judged or blocked. */
    public boolean trusted() {
        return trusted;
    }

    public ControlStage.Limits limits() {
        return limits;
    }

    public boolean contains(InetAddress a) {
        for (Cidr c : sources) {
            if (c.contains(a)) {
                return true;
            }
        }
        return false;
    }
}
