import { cpus, loadavg } from 'node:os';

/** What the figures were measured on: the same code measured several times slower on a busier machine. */
export interface MachineReading {
  cpus: number;
  cpuModel: string;
  node: string;
  /** The 1-minute load average as the scenario started: anything else running weighs on the figures. */
  loadAverage1m: number;
}

export function readMachine(): MachineReading {
  const cores = cpus();
  return {
    cpus: cores.length,
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    node: process.version,
    loadAverage1m: Math.round(loadavg()[0] * 100) / 100,
  };
}

export function describeMachine(machine: MachineReading): string {
  return `${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, load average ${machine.loadAverage1m}`;
}
