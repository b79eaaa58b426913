/**
 * What a run prints. The formats are those of docs/benchmarks.md's tables and notes: keep them,
 * so that new runs can be set beside the published ones.
 */
import { median, type Measurement } from './interleave';

/** The line each server gets after each scenario of each round. */
export function roundLine(round: number, m: Measurement): string {
  return `round ${round} ${m.server.padEnd(4)} ${m.endpoint.padEnd(9)} ${m.rps.toFixed(0).padStart(6)} req/s  p50 ${m.p50} ms  p99 ${m.p99} ms  statuses ${JSON.stringify(m.statusCodes)}  errors ${m.errors}  timeouts ${m.timeouts}  cpu: server ${m.serverCpu ?? '?'} % (${m.cpuPerRequest ?? '?'} µs/req), autocannon ${m.loadCpu} %, everything else ${m.otherCpu ?? '?'} %, stolen ${m.steal ?? '?'} %`;
}

/** The median round of each server and scenario (by requests/s), with the ratio of those medians. */
export function table(results: Measurement[], database: string): string {
  const lines = [
    `Database: ${database}`,
    '',
    '| endpoint | server | requests/s | p50 ms | p99 ms | non-200 | server CPU | CPU µs/req | autocannon CPU | other CPU | stolen | full / baseline |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const m of results) {
    const raw = results.find((r) => r.endpoint === m.endpoint && r.server === 'raw');
    const ratio = m.server === 'full' && raw ? (m.rps / raw.rps).toFixed(2) : '';
    const bad = m.non2xx + m.errors + m.timeouts;
    lines.push(
      `| ${m.endpoint} | ${m.server === 'full' ? 'full stack' : 'baseline'} | ${m.rps.toFixed(0)} | ${m.p50} | ${m.p99} | ${bad} | ${m.serverCpu ?? '?'} % | ${m.cpuPerRequest ?? '?'} | ${m.loadCpu} % | ${m.otherCpu ?? '?'} % | ${m.steal ?? '?'} % | ${ratio} |`,
    );
  }
  lines.push(
    '',
    'CPU columns: % of one core during the measurement; the server child (all its threads), autocannon, and everything else on the machine (the database server, other work). "CPU µs/req": the server\'s CPU per request answered. "Stolen": CPU time the hypervisor gave to other machines; when it is not near 0, the run is noisy.',
  );
  return lines.join('\n');
}

/**
 * Each round's ratio, full stack against the baseline measured in the same round (minutes apart
 * at most), and their median: steadier than the ratio of the two median rounds when the
 * machine's speed drifts between rounds.
 */
export function roundRatios(labels: string[], perRound: Measurement[][]): string {
  const lines: string[] = ['Per round, full stack / baseline of the same round:'];
  for (const endpoint of labels) {
    const ratios = perRound.flatMap((round) => {
      const full = round.find((m) => m.endpoint === endpoint && m.server === 'full');
      const raw = round.find((m) => m.endpoint === endpoint && m.server === 'raw');
      return full && raw ? [full.rps / raw.rps] : [];
    });
    if (ratios.length) lines.push(`- ${endpoint}: ${ratios.map((r) => r.toFixed(2)).join(' / ')} (median ${median(ratios, (r) => r).toFixed(2)})`);
  }
  return lines.join('\n');
}

/** Measurements with an answer other than the scenario's status, an error or a timeout: they make the run invalid. */
export function invalidMeasurements(perRound: Measurement[][], expected: (label: string) => number): Measurement[] {
  return perRound.flat().filter((m) => m.non2xx || m.errors || m.timeouts || Object.keys(m.statusCodes).some((c) => c !== String(expected(m.endpoint))));
}

export function printInvalid(invalid: Measurement[], expected: (label: string) => number): void {
  const statuses = [...new Set(invalid.map((m) => expected(m.endpoint)))].join(' or ');
  console.error(`INVALID RUN: ${invalid.length} measurement(s) had answers other than ${statuses}, errors or timeouts:`);
  for (const m of invalid) console.error(`  ${m.server} ${m.endpoint}: statuses ${JSON.stringify(m.statusCodes)}, errors ${m.errors}, timeouts ${m.timeouts}`);
}
