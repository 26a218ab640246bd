// Lints the API documents with the rulesets as they are: Spectral (spectral:oas, ../.spectral.yaml)
// and Redocly (recommended, ../redocly.yaml) must report no error and no warning on
// api/openapi.json, and api/swagger.json must stay valid Swagger 2.0 (no Spectral error).
// Redocly exits 0 on warnings, so its JSON totals are read instead of its exit code.
import { spawnSync } from 'node:child_process';

const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
const run = (args, opts = {}) => spawnSync('npx', ['--no-install', ...args], { env, encoding: 'utf8', ...opts });
let failed = false;

const spectral = (file, severity, extra = []) => {
  const r = run(['spectral', 'lint', '--ruleset', '../.spectral.yaml', '--fail-severity', severity, ...extra, file], {
    stdio: 'inherit',
  });
  if (r.status !== 0) failed = true;
};
spectral('../api/openapi.json', 'hint');
spectral('../api/swagger.json', 'error', ['--display-only-failures']);

const json = run(['redocly', 'lint', '--config', '../redocly.yaml', '--format', 'json', '../api/openapi.json']);
let totals;
try {
  totals = JSON.parse(json.stdout).totals;
} catch {
  console.error(json.stdout, json.stderr);
  process.exit(1);
}
if (totals.errors + totals.warnings > 0) {
  failed = true;
  run(['redocly', 'lint', '--config', '../redocly.yaml', '--format', 'stylish', '../api/openapi.json'], {
    stdio: 'inherit',
  });
} else {
  console.log('Redocly (recommended): api/openapi.json has no error and no warning');
}
process.exit(failed ? 1 : 0);
