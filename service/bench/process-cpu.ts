// CPU time of processes from /proc (Linux): what each part of a multi-process benchmark used, so the table can
// say where the bottleneck is (service instances, the database server, the load generator) instead of guessing.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on Linux for every architecture Node runs on). */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds `pid` has used so far (its threads included), or 0 once it is gone. */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Pids of the processes whose command name is `comm` (e.g. every `postgres` backend and helper). */
export function pidsNamed(comm: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) pids.push(Number(entry));
    } catch {
      // Gone since readdir.
    }
  }
  return pids;
}

/** Busy and total CPU seconds of the whole machine so far, summed over its cores (/proc/stat: all but idle and iowait is busy). */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy: busy / TICKS_PER_SECOND, total: (busy + idle + iowait) / TICKS_PER_SECOND };
}

/** Named groups of processes; `groups()` is called at the start and at the end, so processes born in between count. */
export type ProcessGroups = () => Record<string, number[]>;

/** What measureCpu found: each group's CPU and the machine's, in cores (1 = one core busy throughout the span). */
export interface CpuUse<T> {
  result: T;
  seconds: number;
  /** Per group. */
  cores: Record<string, number>;
  /** The whole machine: everything busy, the groups included (kernel work and other processes too). */
  machineBusyCores: number;
}

/** CPU use of each group, and of the whole machine, while `run` runs. */
export async function measureCpu<T>(groups: ProcessGroups, run: () => Promise<T>): Promise<CpuUse<T>> {
  const before = snapshot(groups());
  const machineBefore = machineCpuSeconds();
  const t0 = performance.now();
  const result = await run();
  const seconds = (performance.now() - t0) / 1000;
  const machineAfter = machineCpuSeconds();
  const after = snapshot(groups());
  const cores: Record<string, number> = {};
  for (const [name, perPid] of Object.entries(after)) {
    let used = 0;
    for (const [pid, cpu] of perPid) used += cpu - (before[name]?.get(pid) ?? 0);
    cores[name] = round2(used / seconds);
  }
  return { result, seconds, cores, machineBusyCores: round2((machineAfter.busy - machineBefore.busy) / seconds) };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function snapshot(groups: Record<string, number[]>): Record<string, Map<number, number>> {
  return Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, new Map(pids.map((pid) => [pid, cpuSecondsOf(pid)]))]));
}
