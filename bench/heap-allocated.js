// Heap allocation of a piece of bench code, for the per-event allocation figures.
const v8 = require('node:v8');

/**
 * Bytes allocated on the JS heap while `fn` runs: the heap's growth between garbage collections,
 * as the GC profiler reports it around each one (Buffers' memory outside the heap is not counted).
 */
async function heapAllocated(fn) {
  const profiler = new v8.GCProfiler();
  const start = v8.getHeapStatistics().used_heap_size;
  profiler.start();
  await fn();
  const end = v8.getHeapStatistics().used_heap_size;
  let allocated = 0;
  let last = start;
  for (const gc of profiler.stop().statistics) {
    allocated += gc.beforeGC.heapStatistics.usedHeapSize - last;
    last = gc.afterGC.heapStatistics.usedHeapSize;
  }
  return allocated + end - last;
}

module.exports = { heapAllocated };
