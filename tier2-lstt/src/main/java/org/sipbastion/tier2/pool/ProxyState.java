package org.sipbastion.tier2.pool;

/** Whether a proxy takes new calls and its dialogs' requests. */
public enum ProxyState {
    /** Takes new calls and its dialogs. */
    UP,
    /** Set by an operator (or removed from DNS): no new calls, its dialogs finish there. */
    DRAINING,
    /** Failed its health checks: no new calls; its dialogs are rejected or re-routed (see the config). */
    DOWN
}
