import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSupportedServerVersion, MINIMUM_SERVER_VERSION } from '@zhenggai/eventstoredb';
import { loadConfig } from '@zhenggai/platform';
import { parse } from 'yaml';

const ROOT = join(__dirname, '../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** The secrets .env would hold, as an operator following .env.example sets them. */
const SAMPLE_ENV: Record<string, string> = Object.fromEntries(
  read('.env.example')
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);

/** `${NAME}`, `${NAME:-default}` and `${NAME:?message}` as compose substitutes them (a missing required one throws). */
function substitute(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{([A-Z_]+)(?::([-?])([^}]*))?\}/g, (_all, name: string, kind?: string, rest?: string) => {
    if (env[name]) return env[name];
    if (kind === '-') return rest ?? '';
    if (kind === '?') throw new Error(`${name}: ${rest}`);
    return '';
  });
}

type Service = {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  deploy?: { replicas?: number };
  stop_grace_period?: string;
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
};
type Compose = { services: Record<string, Service>; volumes: Record<string, unknown> };

const composeWith = (env: Record<string, string>): Compose =>
  parse(substitute(read('docker-compose.yml'), env), { merge: true }) as Compose;

function dockerCompose(): boolean {
  return spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0;
}

describe('the production stack (docker-compose.yml, Dockerfile, infra/)', () => {
  const compose = composeWith(SAMPLE_ENV);
  const { services } = compose;

  (dockerCompose() ? it : it.skip)('is a valid compose file for docker compose itself', () => {
    execFileSync('docker', ['compose', '--env-file', '.env.example', 'config', '--quiet'], {
      cwd: ROOT,
      stdio: 'pipe',
    });
  });

  it('runs EventStoreDB / KurrentDB, PostgreSQL, Redis, the API, the worker and a load balancer', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'eventstore', 'postgres', 'proxy', 'redis', 'worker']);
    expect(services.eventstore!.image).toMatch(/eventstore|kurrent/);
    expect(services.api!.deploy?.replicas).toBe(2);
    expect(services.api!.command).toEqual(['node', 'dist/apps/api/src/main.js']);
    expect(services.worker!.command).toEqual(['node', 'dist/apps/worker/src/main.js']);
    expect(services.api!.ports).toBeUndefined();
    expect(services.proxy!.ports).toEqual(['3000:8080']);
    expect(read('infra/nginx/nginx.conf')).toMatch(/server api:3000/);
  });

  it(
    'pins EventStoreDB / KurrentDB images no older than ' +
      `${MINIMUM_SERVER_VERSION}, the oldest server the app accepts`,
    () => {
      const tagOf = (image: string) => /:([^:/]+)$/.exec(image)?.[1] ?? 'latest';
      expect(isSupportedServerVersion(tagOf(services.eventstore!.image!))).toBe(true);
      // The images the files suggest instead (ESDB_IMAGE, e.g. KurrentDB) are held to the same minimum.
      const suggested = ['docker-compose.yml', 'infra/README.md'].flatMap(
        (file) => read(file).match(/\S+\/(?:eventstoredb[\w-]*|kurrentdb):[\w.-]+/g) ?? [],
      );
      expect(suggested.some((image) => image.includes('kurrentdb:'))).toBe(true);
      for (const image of suggested) expect([image, isSupportedServerVersion(tagOf(image))]).toEqual([image, true]);
    },
  );

  it('checks the health of every service, and starts the app once its stores are healthy', () => {
    const unchecked = Object.entries(services).filter(
      ([, service]) => !service.healthcheck?.test?.length || service.healthcheck.disable,
    );
    expect(unchecked.map(([name]) => name)).toEqual([]);
    for (const app of ['api', 'worker']) {
      for (const store of ['eventstore', 'postgres', 'redis'])
        expect(services[app]!.depends_on?.[store]).toEqual({ condition: 'service_healthy' });
    }
    const healthScript = services.api!.healthcheck!.test!.find((part) => part.endsWith('.js'))!;
    expect(existsSync(join(ROOT, healthScript.replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
  });

  it('keeps every store on a named volume, and Redis with its append-only file on', () => {
    const named = (service: Service) =>
      (service.volumes ?? []).map((volume) => volume.split(':')[0]!).filter((source) => !source.startsWith('.'));
    expect(named(services.eventstore!)).toContain('eventstore-data');
    expect(named(services.postgres!)).toEqual(['postgres-data']);
    expect(named(services.redis!)).toEqual(['redis-data']);
    for (const volume of ['eventstore-data', 'postgres-data', 'redis-data'])
      expect(compose.volumes).toHaveProperty([volume]);
    const redisConf = services.redis!.volumes!.find((volume) => volume.startsWith('./infra/redis/'))!.split(':')[0]!;
    expect(read(redisConf)).toMatch(/^appendonly yes$/m);
    expect(services.redis!.command?.join(' ')).toContain('/usr/local/etc/redis/redis.conf');
  });

  it('mounts configuration files that exist in infra/', () => {
    for (const service of Object.values(services)) {
      for (const source of (service.volumes ?? [])
        .map((volume) => volume.split(':')[0]!)
        .filter((s) => s.startsWith('./'))) {
        expect(existsSync(join(ROOT, source))).toBe(true);
      }
    }
    expect(read('infra/eventstore/eventstore.conf')).toMatch(/^StartStandardProjections: true$/m);
  });

  it('gives the API and the worker a configuration the app accepts: events in EventStoreDB, jobs on Redis', () => {
    for (const app of ['api', 'worker']) {
      const config = loadConfig(services[app]!.environment);
      expect(config.eventStore).toEqual({ kind: 'esdb', url: 'esdb://eventstore:2113?tls=false' });
      expect(config.redisUrl).toBe('redis://redis:6379');
      expect(config.databaseUrl).toMatch(/^postgres:\/\/zhenggai:.+@postgres:5432\/zhenggai$/);
      expect(config.initialAdmin).not.toBeNull();
    }
    expect(loadConfig(services.api!.environment).trustedProxies).toBe(1);
  });

  it(
    'lets the API and the worker end a slow shutdown themselves, saying ' +
      'what they abandoned, before Docker kills them',
    () => {
      for (const app of ['api', 'worker']) {
        const config = loadConfig(services[app]!.environment);
        // Docker's default is 10 s; the app needs its grace period, up to 5 s for the stores, and a margin.
        const periodSeconds = Number(/^(\d+)s$/.exec(services[app]!.stop_grace_period ?? '10s')?.[1]);
        expect([app, periodSeconds >= config.shutdownGraceSeconds + 10]).toEqual([app, true]);
      }
    },
  );

  it('refuses to start without the secrets, saying which to set', () => {
    const { JWT_SECRET: _omitted, ...withoutSecret } = SAMPLE_ENV;
    expect(() => composeWith(withoutSecret)).toThrow(/JWT_SECRET: set JWT_SECRET in \.env/);
  });

  it('builds in stages and runs as a user other than root', () => {
    const dockerfile = read('Dockerfile');
    const stages = dockerfile.match(/^FROM .+$/gm) ?? [];
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    const user = /^USER (\S+)$/m.exec(runtime)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(runtime).toMatch(/COPY --from=build/);
    expect(runtime).not.toMatch(/npm (ci|install)/);
    expect(read('.dockerignore')).toMatch(/^node_modules$/m);
  });
});
