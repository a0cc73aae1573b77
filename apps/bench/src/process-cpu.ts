import { readFileSync } from 'node:fs';

// Linux reports a process' CPU time in clock ticks of 1/100 s (USER_HZ) in /proc/<pid>/stat.
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds a process has used so far (Linux /proc). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), which ends at the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / TICKS_PER_SECOND;
}

/** CPU seconds the processes used between now and `stop()`. */
export function measureCpu(pids: number[]): { stop(): number } {
  const start = pids.map(cpuSeconds);
  return { stop: () => pids.reduce((sum, pid, i) => sum + cpuSeconds(pid) - start[i], 0) };
}
