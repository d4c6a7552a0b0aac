/**
 * Child side of "no orphans": a runtime process started by a Deployment or Flow notices when its parent is gone
 * (the IPC channel closes, or the parent pid passed in `WEFT_PARENT_PID` no longer exists) and shuts itself down.
 * The parent also kills its children on exit; this covers the case it cannot: the parent killed with SIGKILL.
 */

/** The environment variable carrying the pid of the process that started a runtime. */
export const PARENT_PID_ENV = 'WEFT_PARENT_PID';

export interface ParentWatchOptions {
  /** The parent's pid (default: `WEFT_PARENT_PID`). */
  parentPid?: number;
  /** How often to check that the parent still exists, in ms (default 500). */
  intervalMs?: number;
}

/**
 * Call `onGone` once, when the parent is gone. Returns a function that stops watching. The watch never keeps
 * the process alive by itself.
 * @example watchParent((why) => void shutdown(`parent went away (${why})`));
 */
export function watchParent(onGone: (reason: string) => void, options: ParentWatchOptions = {}): () => void {
  const fromEnv = Number(process.env[PARENT_PID_ENV]);
  const parentPid = options.parentPid ?? (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : undefined);
  // when the parent started us directly, a changed ppid (re-parented to init) is the immediate sign it died
  const direct = parentPid !== undefined && process.ppid === parentPid;
  let fired = false;
  let timer: NodeJS.Timeout | undefined;
  const onDisconnect = () => fire('its IPC channel closed');
  const stop = () => {
    if (timer) clearInterval(timer);
    process.off('disconnect', onDisconnect);
  };
  const fire = (reason: string) => {
    if (fired) return;
    fired = true;
    stop();
    onGone(reason);
  };
  if (process.send) {
    if (!process.connected) {
      queueMicrotask(() => fire('its IPC channel is closed'));
      return stop;
    }
    process.on('disconnect', onDisconnect);
  }
  if (parentPid !== undefined) {
    const check = () => {
      if (direct ? process.ppid !== parentPid : !isAlive(parentPid)) fire(`process ${parentPid} exited`);
    };
    timer = setInterval(check, options.intervalMs ?? 500);
    timer.unref();
    check();
  }
  return stop;
}

/** Whether a process with this pid exists (signal 0 checks without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
