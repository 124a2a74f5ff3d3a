package org.sipbastion.gateway;

import java.util.concurrent.atomic.LongAdder;
import org.sipbastion.parser.Reason;
import org.sipbastion.tier1.event.Detector;
import org.sipbastion.tier1.sanity.PolicyViolation;

/**
 * Counters of the data path, one per named event (Aeron style: plain adders, read by the CLI and
 * later exported as metrics). Every drop is counted under its reason; nothing disappears silently.
 */
public final class GatewayCounters {
    public final LongAdder received = new LongAdder();
    /** Datagrams of CR and LF only: keep-alives (RFC 5626), neither forwarded nor malformed. */
    public final LongAdder keepAlives = new LongAdder();
    public final LongAdder requestsForwarded = new LongAdder();
    public final LongAdder responsesForwarded = new LongAdder();
    public final LongAdder localReplies = new LongAdder();
    /** No usable destination: unresolvable Via, our own address, broadcast. */
    public final LongAdder unroutable = new LongAdder();
    public final LongAdder noProxyAvailable = new LongAdder();
    /** New calls answered 503 + Retry-After by the ingress scheduler: expected wait too long, or queue full. */
    public final LongAdder shedNewCalls = new LongAdder();
    /** Requests discarded after waiting longer than T1 in the ingress queue (their client retransmitted). */
    public final LongAdder ingressExpired = new LongAdder();
    /** Datagrams dropped because the ingress queue (or the message pool) was full. */
    public final LongAdder ingressOverflow = new LongAdder();
    /** Initial requests of clients for a domain we do not serve, answered 403 (not an open relay). */
    public final LongAdder foreignDomains = new LongAdder();
    /** Requests with a To tag of no dialog we know (no route token, no dialog-table row), answered 481. */
    public final LongAdder unknownDialogs = new LongAdder();
    /** In-dialog requests answered 481 because their dialog's proxy is down (dead_proxy_dialogs = reject). */
    public final LongAdder dialogProxyDown = new LongAdder();
    public final LongAdder internalErrors = new LongAdder();
    /** Datagrams that are not SIP, by parser verdict. */
    public final EnumCounters<Reason> malformed = new EnumCounters<>(Reason.class);
    /** Valid SIP that tier 1's policy refused, by violation. */
    public final EnumCounters<PolicyViolation> refused = new EnumCounters<>(PolicyViolation.class);
    /** Dropped by a tier 1 detector (floods, fake BYE/CANCEL, fake responses...), by detector. */
    public final EnumCounters<Detector> dropped = new EnumCounters<>(Detector.class);
    /** Alarms raised by tier 1 (offenders blocked, call-rate load above normal, a rule reload refused). */
    public final LongAdder alarms = new LongAdder();
    /** Drops and alarms that became no event (queue full, too many sources in one second). */
    public final LongAdder eventsLost = new LongAdder();
    /** Rule sets applied by a reload (the one loaded at start not counted). */
    public final LongAdder rulesApplied = new LongAdder();
    /** Initial requests from clients with a Route beyond ours, refused with 403 (not an open relay). */
    public final LongAdder preloadedRoutes = new LongAdder();
    /** Trust-domain headers (P-Asserted-Identity...) removed from untrusted clients' requests. */
    public final LongAdder trustHeadersStripped = new LongAdder();
    /** Requests refused with 403 for carrying more than TrustHeaders.MAX such headers. */
    public final LongAdder trustHeadersRefused = new LongAdder();
    /** Messages towards clients whose proxies' Via, Record-Route or Contact were sealed (topology hiding). */
    public final LongAdder topologyHidden = new LongAdder();
    /** Messages towards clients left unhidden: the headers to seal were too long or too many. */
    public final LongAdder topologyUnhidden = new LongAdder();
    /** OPTIONS probes sent to the proxies, answered with a final response in time, and unanswered by the next round. */
    public final LongAdder probesSent = new LongAdder();
    public final LongAdder probesAnswered = new LongAdder();
    public final LongAdder probesMissed = new LongAdder();
    /** Answers that look like our probes' but whose branch or sender does not check out (dropped). */
    public final LongAdder probesRefused = new LongAdder();
    /** Call-through probes: calls sent, passed (INVITE and BYE answered 2xx), failed, and forged answers dropped. */
    public final LongAdder callProbesSent = new LongAdder();
    public final LongAdder callProbesPassed = new LongAdder();
    public final LongAdder callProbesFailed = new LongAdder();
    public final LongAdder callProbesRefused = new LongAdder();
    /** Transparent forwarding: datagrams that could not be sent with their sender's address. */
    public final LongAdder transparentSendFailures = new LongAdder();
    /** Messages from clients dropped because a topology seal in them did not open (altered or forged). */
    public final LongAdder badSeals = new LongAdder();
    /** DNS discovery: lookups after the start, those that failed or found nothing usable, and the proxy set's changes. */
    public final LongAdder dnsLookups = new LongAdder();
    public final LongAdder dnsFailures = new LongAdder();
    public final LongAdder proxiesAdded = new LongAdder();
    public final LongAdder proxiesRemoved = new LongAdder();
    /** Proxies health took down (probes and calls agreeing) and brought back up. */
    public final LongAdder proxiesDown = new LongAdder();
    public final LongAdder proxiesUp = new LongAdder();
    /** Workload reports taken from the agents, refused (by reason), and subscriptions lost or refused. */
    public final LongAdder workloadReports = new LongAdder();
    public final EnumCounters<org.sipbastion.gateway.control.WorkloadRejection> workloadRejected =
        new EnumCounters<>(org.sipbastion.gateway.control.WorkloadRejection.class);
    public final LongAdder subscriptionFailures = new LongAdder();
    /** Proxies DNS listed that found no free slot (--max-proxies). */
    public final LongAdder proxiesRefused = new LongAdder();

    private static String withDetail(EnumCounters<?> c) {
        long total = c.total();
        return total == 0 ? "0" : total + "(" + c + ")";
    }

    /** One line for logs and the demo console. */
    public String summary() {
        return "received=" + received.sum() + " keep_alives=" + keepAlives.sum() + " requests_forwarded=" + requestsForwarded.sum()
            + " responses_forwarded=" + responsesForwarded.sum() + " local_replies=" + localReplies.sum()
            + " malformed=" + withDetail(malformed) + " refused=" + withDetail(refused) + " dropped=" + withDetail(dropped) + " alarms=" + alarms.sum() + " events_lost=" + eventsLost.sum()
            + " unroutable=" + unroutable.sum() + " no_proxy=" + noProxyAvailable.sum()
            + " dialog_proxy_down=" + dialogProxyDown.sum() + " unknown_dialogs=" + unknownDialogs.sum() + " shed_new_calls=" + shedNewCalls.sum()
            + " ingress_expired=" + ingressExpired.sum() + " ingress_overflow=" + ingressOverflow.sum()
            + " internal_errors=" + internalErrors.sum()
            + " preloaded_routes=" + preloadedRoutes.sum() + " foreign_domains=" + foreignDomains.sum() + " trust_headers_stripped=" + trustHeadersStripped.sum()
            + " trust_headers_refused=" + trustHeadersRefused.sum() + " topology_hidden=" + topologyHidden.sum()
            + " topology_unhidden=" + topologyUnhidden.sum() + " bad_seals=" + badSeals.sum()
            + " transparent_send_failures=" + transparentSendFailures.sum() + " probes_sent=" + probesSent.sum()
            + " probes_answered=" + probesAnswered.sum() + " probes_missed=" + probesMissed.sum()
            + " probes_refused=" + probesRefused.sum() + " call_probes_sent=" + callProbesSent.sum()
            + " call_probes_passed=" + callProbesPassed.sum() + " call_probes_failed=" + callProbesFailed.sum()
            + " call_probes_refused=" + callProbesRefused.sum() + " dns_lookups=" + dnsLookups.sum() + " dns_failures=" + dnsFailures.sum()
            + " proxies_added=" + proxiesAdded.sum() + " proxies_removed=" + proxiesRemoved.sum()
            + " proxies_refused=" + proxiesRefused.sum() + " proxies_down=" + proxiesDown.sum()
            + " proxies_up=" + proxiesUp.sum() + " workload_reports=" + workloadReports.sum()
            + " workload_rejected=" + withDetail(workloadRejected) + " subscription_failures=" + subscriptionFailures.sum();
    }
}
