import { readFileSync } from 'node:fs';

/**
 * Where a V8 CPU profile's time went, by package and by function, within a window of seconds from the profile's start:
 * `node dist/bench/cpu-profile-summary.js <file.cpuprofile> [fromSeconds] [toSeconds]`. Written to read the
 * all-in-one's catch-up (BENCH_CPU_PROFILE_DIR) against the projection's from scratch alone.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The package (or part of ours) a script belongs to, or V8's own bucket. */
export function placeOf(url: string, functionName: string): string {
  if (!url) return `(${functionName || 'anonymous'})`.replace(/^\(\((.*)\)\)$/, '($1)');
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return dependency[1];
  const ours = /dist\/(libs|apps|bench)\/([^/]+)/.exec(url);
  if (ours) return `${ours[1]}/${ours[2]}`;
  if (url.startsWith('node:')) return 'node internals';
  return url;
}

function summarize(file: string, from = 0, to = Infinity): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const byPlace = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let at = 0;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i];
    const seconds = at / 1e6;
    if (seconds < from || seconds > to) continue;
    const delta = profile.timeDeltas[i + 1] ?? 0;
    const { functionName, url, lineNumber } = byId.get(profile.samples[i])!.callFrame;
    const place = placeOf(url, functionName);
    byPlace.set(place, (byPlace.get(place) ?? 0) + delta);
    const where = url ? `${url.replace(/^.*\/(node_modules|dist)\//, '')}:${lineNumber + 1}` : '';
    const fn = `${functionName || '(anonymous)'} ${where}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + delta);
    total += delta;
  }
  const top = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(
        ([name, us]) =>
          `${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1e3).toFixed(0).padStart(7)} ms  ${name}`,
      )
      .join('\n');
  console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled between ${from} s and ${to} s\n`);
  console.log(`by place\n${top(byPlace, 25)}\n\nby function (self)\n${top(byFunction, 40)}`);
}

if (require.main === module) {
  const [file, from, to] = process.argv.slice(2);
  summarize(file, from ? Number(from) : 0, to ? Number(to) : Infinity);
}
