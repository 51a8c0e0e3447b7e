// Python requirements without PyPI: each one mapped to the Debian package that ships it, for the
// offline images (Debian trixie's python3). A table, not a guess: a wrong name fails the build
// late; an unmapped one is listed with what to do.

/** PyPI project name (normalised: lowercase, '-' for '_' and '.') -> Debian package. */
const DEBIAN: Record<string, string> = {
  flask: 'python3-flask',
  'flask-cors': 'python3-flask-cors',
  'flask-sqlalchemy': 'python3-flask-sqlalchemy',
  werkzeug: 'python3-werkzeug',
  jinja2: 'python3-jinja2',
  requests: 'python3-requests',
  redis: 'python3-redis',
  psycopg2: 'python3-psycopg2',
  'psycopg2-binary': 'python3-psycopg2',
  sqlalchemy: 'python3-sqlalchemy',
  gunicorn: 'gunicorn',
  pyyaml: 'python3-yaml',
  'python-dotenv': 'python3-dotenv',
  click: 'python3-click',
  fastapi: 'python3-fastapi',
  uvicorn: 'python3-uvicorn',
  pydantic: 'python3-pydantic',
  httpx: 'python3-httpx',
  aiohttp: 'python3-aiohttp',
  django: 'python3-django',
  celery: 'python3-celery',
  pymongo: 'python3-pymongo',
  'prometheus-client': 'python3-prometheus-client',
  bcrypt: 'python3-bcrypt',
  cryptography: 'python3-cryptography',
  pytz: 'python3-tz',
  'python-dateutil': 'python3-dateutil',
  numpy: 'python3-numpy',
  pandas: 'python3-pandas',
};

export function normaliseRequirement(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Requirement names from requirements.txt (options, comments, markers and versions dropped). */
export function parseRequirements(text: string): string[] {
  const names: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line || line.startsWith('-')) continue;
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(line);
    if (m) names.push(normaliseRequirement(m[1]));
  }
  return [...new Set(names)];
}

/** Names in pyproject.toml's `dependencies = [...]` (PEP 621); other layouts are not read. */
export function parsePyproject(text: string): string[] {
  const block = /^dependencies\s*=\s*\[([\s\S]*?)\]/m.exec(text);
  if (!block) return [];
  return parseRequirements([...block[1].matchAll(/["']([^"']+)["']/g)].map((m) => m[1]).join('\n'));
}

/** Each requirement's Debian package, and the ones no package is known for. */
export function mapToDebian(requirements: string[]): { packages: string[]; unmapped: string[] } {
  const packages = new Set<string>();
  const unmapped: string[] = [];
  for (const name of requirements) {
    const pkg = DEBIAN[name];
    if (pkg) packages.add(pkg);
    else unmapped.push(name);
  }
  return { packages: [...packages].sort(), unmapped };
}
