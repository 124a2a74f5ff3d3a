package org.sipbastion.tier1.event;

/** Where events leave the event loop: must never block; false when the event had to be dropped (counted). */
public interface EventSink {
    boolean offer(SecurityEvent event);

    EventSink NONE = e -> true;
}
