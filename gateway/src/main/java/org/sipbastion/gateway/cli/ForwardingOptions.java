package org.sipbastion.gateway.cli;

import org.sipbastion.gateway.GatewayConfig;

/**
 * The forwarding options: stateless proxy or transparent, and what clients see of the farm. Each
 * error names the option and what it expected.
 */
final class ForwardingOptions {
    private Boolean hideTopology;
    private boolean transparent;

    /** Takes option {@code name} with {@code value}; false when it is not one of ours. */
    boolean take(String name, String value) {
        switch (name) {
            case "--topology-hiding" -> hideTopology = switch (value.trim()) {
                case "on" -> true;
                case "off" -> false;
                default -> throw new Main.UsageException(name + ": on or off, not " + value);
            };
            case "--forwarding" -> transparent = switch (value.trim()) {
                case "proxy" -> false;
                case "transparent" -> true;
                default -> throw new Main.UsageException(name + ": proxy or transparent, not " + value);
            };
            default -> {
                return false;
            }
        }
        return true;
    }

    boolean transparent() {
        return transparent;
    }

    /** Topology hiding is on by default, except in transparent mode, where it cannot be. */
    GatewayConfig.Forwarding build() {
        boolean hide = hideTopology != null ? hideTopology : !transparent;
        try {
            return new GatewayConfig.Forwarding(hide, transparent);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException("--forwarding transparent: " + e.getMessage());
        }
    }
}
