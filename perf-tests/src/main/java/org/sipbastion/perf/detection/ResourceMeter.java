package org.sipbastion.perf.detection;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * Heap and allocation of one run. Allocation is the running thread's own; the heap figures are the
 * process's, so with runs side by side ({@code --threads}) they include the other runs.
 */
final class ResourceMeter {
    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final long allocatedAtStart;

    /** Collects first, so the previous run's garbage neither counts towards this one's peak nor live set. */
    ResourceMeter() {
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
        allocatedAtStart = threads.getCurrentThreadAllocatedBytes();
    }

    long allocatedBytes() {
        return threads.getCurrentThreadAllocatedBytes() - allocatedAtStart;
    }

    /** The heap pools' peaks added up: an upper bound, since the pools need not peak together. */
    long heapPeakBytes() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    /** Heap in use after a collection: what the caller still holds. */
    long heapLiveBytes() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
