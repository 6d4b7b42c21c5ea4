// Synchronous cleanups that run however this process ends: normal exit, or SIGTERM / SIGINT / SIGHUP (vitest ends
// its fork workers with SIGTERM, which skips 'exit' handlers).

const cleanups = new Set<() => void>()
const SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP"] as const
let installed = false

const runAll = () => {
  for (const cleanup of [...cleanups]) {
    cleanups.delete(cleanup)
    try {
      cleanup()
    } catch {
      // one failed cleanup must not stop the others
    }
  }
}

const onSignal = (signal: NodeJS.Signals) => {
  runAll()
  uninstall()
  // Die of the signal as we would have without our handler, unless someone else has taken charge of it.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
}

const install = () => {
  if (installed) return
  installed = true
  process.on("exit", runAll)
  for (const signal of SIGNALS) process.on(signal, onSignal)
}

function uninstall() {
  if (!installed) return
  installed = false
  process.off("exit", runAll)
  for (const signal of SIGNALS) process.off(signal, onSignal)
}

/** Runs `cleanup` when the process ends, unless the returned function is called first (then it never runs). */
export const cleanUpOnProcessEnd = (cleanup: () => void): (() => void) => {
  cleanups.add(cleanup)
  install()
  return () => {
    cleanups.delete(cleanup)
    if (cleanups.size === 0) uninstall()
  }
}
