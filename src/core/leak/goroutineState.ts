/**
 * Infers a goroutine's wait state from its stack, for sources that do not print it (the goroutine proto
 * profile). The names match what the runtime prints in `debug=2` headers, so groups from either source agree.
 */

// Checked from the leaf outwards; the first frame that matches decides. Sync primitives are matched on their
// public method before the runtime semaphore they park in, so a Mutex is not reported as a bare semacquire.
const RULES: [RegExp, string][] = [
  [/^sync\.\(\*RWMutex\)\.RLock$/, 'sync.RWMutex.RLock'],
  [/^sync\.\(\*RWMutex\)\.Lock$/, 'sync.RWMutex.Lock'],
  [/^sync\.\(\*Mutex\)\.(Lock|lockSlow)$|^internal\/sync\.\(\*Mutex\)\.(Lock|lockSlow)$/, 'sync.Mutex.Lock'],
  [/^sync\.\(\*WaitGroup\)\.Wait$/, 'sync.WaitGroup.Wait'],
  [/^sync\.\(\*Cond\)\.Wait$|^sync\.runtime_notifyListWait$/, 'sync.Cond.Wait'],
  [/^runtime\.chanrecv[12]?$/, 'chan receive'],
  [/^runtime\.chansend1?$/, 'chan send'],
  [/^runtime\.selectgo$/, 'select'],
  [/^runtime\.block$/, 'select (no cases)'],
  [/^internal\/poll\.runtime_pollWait$|^runtime\.netpollblock$/, 'IO wait'],
  [/^time\.Sleep$/, 'sleep'],
  [/^sync\.runtime_Semacquire|^runtime\.semacquire|^internal\/sync\.runtime_Semacquire/, 'semacquire'],
  [/^syscall\.|^runtime\.(cgocall|asmcgocall)$/, 'syscall'],
];

/** Returns the wait state of a goroutine whose stack has these function names, innermost first. */
export function inferGoroutineState(functionsLeafFirst: readonly string[]): string {
  let semaphore = false;
  for (const fn of functionsLeafFirst) {
    for (const [re, state] of RULES) {
      if (!re.test(fn)) continue;
      // A bare semaphore is what Mutex, RWMutex and WaitGroup park in: keep looking for the primitive above it.
      if (state === 'semacquire') {
        semaphore = true;
        break;
      }
      return state;
    }
  }
  if (semaphore) return 'semacquire';
  if (functionsLeafFirst[0] === 'runtime.gopark' || functionsLeafFirst[0] === 'runtime.goparkunlock') return 'waiting';
  return 'running';
}
