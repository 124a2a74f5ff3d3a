package org.sipbastion.tier1.event;

/** Receives tier 1's alarms and blocking decisions; called on the event loop, so it must not block. */
public interface AlarmListener {
    void alarm(Alarm alarm);

    AlarmListener NONE = a -> { };
}
