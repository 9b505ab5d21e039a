// The console end to end: a real `kmsgw serve` (the built jar), Debian's Chromium driven by playwright-core, and the
// official Java SDK using the files the browser downloaded. Screenshots of every page go to e2e-output/screenshots.
// Run after `mvn verify` (or `mvn -DskipTests package`), from gateway/console: `npm ci && npm test` (README).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { X509Certificate, createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import https from 'node:https';
import tls from 'node:tls';
import { chromium } from 'playwright-core';

const consoleDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(consoleDir, '../..');
const jar = join(repo, 'gateway/target/kmsgw.jar');
const classPath = () => [join(repo, 'gateway/target/test-classes'), join(repo, 'gateway/target/classes'),
  readFileSync(join(repo, 'gateway/target/test-classpath.txt'), 'utf8').trim()].join(':');
const output = join(consoleDir, 'e2e-output');
const shots = join(output, 'screenshots');
const downloads = join(output, 'downloads');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

/** @type {import('node:child_process').ChildProcess} */
let server;
let dataDir;
let instance;
let token;
let ca;
let browser;
let page;
let consoleUrl;
const shared = {};

function waitForReady(proc) {
  return new Promise((ok, fail) => {
    let seen = '';
    const timer = setTimeout(() => fail(new Error(`no ready line in 90 s:\n${seen}`)), 90_000);
    proc.stdout.on('data', (chunk) => {
      seen += chunk;
      if (seen.includes('kmsgw ready:')) {
        clearTimeout(timer);
        ok();
      }
    });
    proc.stderr.on('data', (chunk) => {
      seen += chunk;
    });
    proc.on('exit', (code) => fail(new Error(`serve exited ${code}:\n${seen}`)));
  });
}

/** An admin API call from the test itself (setup and cross-checks), verifying TLS against the instance CA. */
function admin(action, params = {}) {
  const [host, port] = instance.AdminEndpoint.split(':');
  return new Promise((ok, fail) => {
    const req = https.request({ host, port, method: 'POST', path: `/admin/v1/${action}`, ca, servername: 'localhost',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => (res.statusCode === 200 ? ok(JSON.parse(body)) : fail(new Error(`${action}: ${res.statusCode} ${body}`))));
    });
    req.on('error', fail);
    req.end(JSON.stringify(params));
  });
}

/** The SPKI pin of the admin plane's certificate, after checking that it chains to the instance CA. */
function adminSpkiPin() {
  const [host, port] = instance.AdminEndpoint.split(':');
  return new Promise((ok, fail) => {
    const s = tls.connect({ host, port: Number(port), ca, servername: 'localhost', minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }, () => {
      const leaf = new X509Certificate(s.getPeerCertificate().raw);
      s.end();
      ok(createHash('sha256').update(leaf.publicKey.export({ type: 'spki', format: 'der' })).digest('base64'));
    });
    s.on('error', fail);
  });
}

/** Encrypt + Decrypt with the official SDK and a client key's files: "ok …" or "refused CODE". */
function sdkEncrypt(keyFile, passwordFile, keyId = 'alias/quickstart') {
  const r = spawnSync('java', ['-cp', classPath(), 'io.kmsgw.gateway.it.SdkEncrypt', instance.Endpoint, instance.CaFile, keyFile,
    passwordFile, keyId], { encoding: 'utf8', timeout: 120_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return { status: r.status, line, stderr: r.stderr };
}

function openApiEncrypt(accessKeyId, secret, keyId = 'alias/quickstart') {
  const r = spawnSync('java', ['-cp', classPath(), 'io.kmsgw.gateway.it.OpenApiEncrypt', instance.Endpoint, instance.CaFile, accessKeyId,
    secret, keyId], { encoding: 'utf8', timeout: 120_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return { status: r.status, line, stderr: r.stderr };
}

async function shot(name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/** Clicks a download button and saves the file under its suggested name. */
async function saveDownload(button) {
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const path = join(downloads, download.suggestedFilename());
  await download.saveAs(path);
  return { name: download.suggestedFilename(), path };
}

/** Creates a key of Origin EXTERNAL on the Keys page and waits for its page in PendingImport; returns its id. */
async function createExternalKey(spec, usage) {
  await go('#/keys', 'Keys');
  await page.getByLabel('Key spec').selectOption(spec);
  if (usage) {
    await page.getByLabel('Key usage').selectOption(usage);
  }
  await page.getByLabel('Origin').selectOption('EXTERNAL');
  await page.getByRole('button', { name: 'Create key' }).click();
  const heading = page.getByRole('heading', { name: /^Key key-/ });
  await heading.waitFor();
  const keyId = (await heading.textContent()).replace(/^Key /, '');
  await page.locator('#key-state', { hasText: 'PendingImport' }).waitFor();
  return keyId;
}

/** Clicks "Get wrapping key and token" and saves its two downloads (the PEM and the token) in a directory; returns it. */
async function downloadImportParameters(keyId, name) {
  const got = [];
  const onDownload = (d) => got.push(d);
  page.on('download', onDownload);
  await page.getByRole('button', { name: 'Get wrapping key and token' }).click();
  for (let i = 0; got.length < 2 && i < 200; i++) {
    await page.waitForTimeout(50);
  }
  page.off('download', onDownload);
  assert.deepEqual(got.map((d) => d.suggestedFilename()).sort(), [`importToken_${keyId}.txt`, `wrappingKey_${keyId}.pem`]);
  const work = join(downloads, name);
  mkdirSync(work, { recursive: true });
  for (const d of got) {
    await d.saveAs(join(work, d.suggestedFilename()));
  }
  return work;
}

/** Every input, select and textarea on the page has a label. */
async function assertLabelled() {
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((e) => e.type !== 'hidden' && !e.labels?.length && !e.getAttribute('aria-label')).map((e) => e.outerHTML));
  assert.deepEqual(unlabelled, []);
}

async function go(fragment, heading) {
  await page.goto(`${consoleUrl}${fragment}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  await page.locator('.loading').waitFor({ state: 'detached' });
}

before(async () => {
  assert.ok(existsSync(jar), `build the jar first: ${jar}`);
  rmSync(output, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });
  mkdirSync(downloads, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'kmsgw-console-'));
  server = spawn('java', ['-jar', jar, 'serve', '--data-dir', dataDir, '--port', '0', '--admin-port', '0'],
    { cwd: dataDir, stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForReady(server);
  instance = JSON.parse(readFileSync(join(dataDir, 'instance.json'), 'utf8'));
  token = readFileSync(instance.AdminTokenFile, 'utf8').trim();
  ca = readFileSync(instance.CaFile, 'utf8');
  const pin = await adminSpkiPin();
  // Chromium trusts exactly the admin plane's key (checked above to chain to the instance CA); nothing is ignored.
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...FLAGS, `--ignore-certificate-errors-spki-list=${pin}`] });
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1366, height: 900 } });
  page = await context.newPage();
  page.on('dialog', (d) => d.accept(d.type() === 'prompt' ? d.defaultValue() : undefined));
  consoleUrl = `https://${instance.AdminEndpoint}/console/`;
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((ok) => server.on('exit', ok));
    server.kill('SIGTERM');
    await exited;
  }
  if (dataDir) {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('login: a wrong token is refused next to the field; the admin token opens the Instance page and is kept in memory only', async () => {
  await page.goto(consoleUrl);
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  await shot('01-login');
  await page.getByLabel('Admin token').fill('not-the-token');
  await page.getByLabel('Admin token').press('Enter'); // keyboard submit
  await page.locator('.field-error', { hasText: 'refused this token' }).waitFor();
  assert.equal(await page.getByLabel('Admin token').getAttribute('aria-invalid'), 'true');

  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#instance-id', { hasText: instance.InstanceId }).waitFor();
  await page.locator('#health', { hasText: 'ready' }).waitFor();
  await page.locator('#start-checks', { hasText: 'Store: quick_check ok; takes a write; MasterKey: check value ' }).waitFor();
  const stored = await page.evaluate(() => JSON.stringify([{ ...localStorage }, { ...sessionStorage }, document.cookie]));
  assert.equal(stored, '[{},{},""]');
  assert.ok(!(await page.content()).includes(token), 'the token is not in the page');
  await shot('02-instance');

  // the request rate is measured between two polls of DescribeInstance, 2 s apart
  await page.locator('#qps').filter({ hasText: /^\d+\.\d$/ }).waitFor({ timeout: 10_000 });
  const caFile = await saveDownload(page.getByRole('button', { name: /Download PrivateKmsCA_/ }));
  assert.equal(readFileSync(caFile.path, 'utf8'), ca);
  await assertLabelled();
});

test('standard creation: network rule, policy, application access point, client key; the SDK encrypts with the downloaded files', async () => {
  await go('#/access', 'Application Access');
  await page.getByRole('link', { name: 'Standard creation' }).click();
  await page.getByRole('heading', { name: 'Step 1 of 4: Network rule' }).waitFor();
  await page.getByLabel('Rule name').fill('e2e-rule');
  await page.getByLabel('Allowed source addresses').fill('not-an-address');
  await page.getByRole('button', { name: 'Create rule and continue' }).click();
  const ipError = page.locator('.field[data-param="SourcePrivateIp"] .field-error');
  await ipError.waitFor();
  assert.match(await ipError.textContent(), /not an IPv4\/IPv6 address or CIDR block/);
  await shot('03-wizard-rule-error');
  await page.getByLabel('Allowed source addresses').fill('127.0.0.1/32\n::1');
  await page.getByRole('button', { name: 'Create rule and continue' }).click();

  await page.getByRole('heading', { name: 'Step 2 of 4: Policy' }).waitFor();
  assert.ok(await page.getByLabel('e2e-rule').isChecked(), 'the new rule is preselected');
  await page.getByLabel('Policy name').fill('e2e-policy');
  await page.getByLabel('Accessible resources').fill('key/*');
  await shot('04-wizard-policy');
  await page.getByRole('button', { name: 'Create policy and continue' }).click();

  await page.getByRole('heading', { name: 'Step 3 of 4: Application access point' }).waitFor();
  assert.ok(await page.getByLabel(/^e2e-policy/).isChecked(), 'the new policy is preselected');
  await page.getByLabel('Application access point name').fill('e2e-app');
  await page.getByRole('button', { name: 'Create application access point and continue' }).click();

  await page.getByRole('heading', { name: 'Step 4 of 4: Client key' }).waitFor();
  assert.equal(await page.getByLabel('Validity').inputValue(), '1', 'one year by default');
  const password = page.getByLabel('Client key password');
  await password.fill('short');
  assert.equal(await page.locator('li[data-rule="length"]').getAttribute('class'), 'bad');
  await password.fill('lettersonly');
  assert.equal(await page.locator('li[data-rule="length"]').getAttribute('class'), 'ok');
  assert.equal(await page.locator('li[data-rule="kinds"]').getAttribute('class'), 'bad');
  await page.getByRole('button', { name: 'Create client key' }).click();
  await page.locator('.field[data-param="Password"] .field-error', { hasText: 'at least two of' }).waitFor();
  await password.fill('E2e-client-key-1');
  assert.ok(await page.locator('.field[data-param="Password"] .field-error').isHidden(), 'editing the field clears its error');
  await page.getByLabel('Confirm password').fill('E2e-client-key-1');
  assert.equal(await page.locator('.rules li.bad').count(), 0);
  await shot('05-wizard-client-key');
  await page.getByRole('button', { name: 'Create client key' }).click();

  const panel = page.locator('.panel.created');
  await panel.waitFor();
  await shot('06-client-key-downloads');
  const json = await saveDownload(panel.getByRole('button', { name: /Download clientKey_.*\.json/ }));
  const pw = await saveDownload(panel.getByRole('button', { name: /Download clientKey_.*_Password\.txt/ }));
  assert.match(json.name, /^clientKey_KAAP\.[\w-]+\.json$/);
  assert.equal(pw.name, json.name.replace('.json', '_Password.txt'));
  assert.equal(readFileSync(pw.path, 'utf8'), 'E2e-client-key-1');
  assert.ok(await panel.getByRole('button', { name: /json — downloaded/ }).isDisabled(), 'each file downloads once');
  shared.oldKey = JSON.parse(readFileSync(json.path, 'utf8')).KeyId;
  shared.oldFiles = [json.path, pw.path];

  const { ClientKeys } = await admin('ListClientKeys', { AapName: 'e2e-app' });
  assert.equal(ClientKeys.length, 1);
  const days = (Date.parse(ClientKeys[0].NotAfter) - Date.parse(ClientKeys[0].NotBefore)) / 86_400_000;
  assert.ok(days >= 365 && days <= 366, `one year of validity, got ${days} days`);
  const policy = await admin('DescribePolicy', { Name: 'e2e-policy' });
  assert.deepEqual(JSON.parse(policy.AccessControlRules).NetworkRules, ['e2e-rule']);

  const used = sdkEncrypt(json.path, pw.path);
  assert.equal(used.status, 0, `${used.line}\n${used.stderr}`);
  assert.match(used.line, /^ok key-/);
});

test('rotation: a new client key works, the audit log shows the old one still used, deleting it refuses it at once', async () => {
  await page.locator('.panel.created').getByRole('button', { name: 'Done' }).click();
  await page.getByRole('heading', { name: 'Application access point e2e-app' }).waitFor();
  await page.getByLabel('Client key password').fill('E2e-rotated-key-2');
  await page.getByLabel('Confirm password').fill('E2e-rotated-key-2');
  await page.getByRole('button', { name: 'Create client key' }).click();
  const panel = page.locator('.panel.created');
  await panel.waitFor();
  const json = await saveDownload(panel.getByRole('button', { name: /Download clientKey_.*\.json/ }));
  const pw = await saveDownload(panel.getByRole('button', { name: /Download clientKey_.*_Password\.txt/ }));
  const newKey = JSON.parse(readFileSync(json.path, 'utf8')).KeyId;
  shared.newFiles = [json.path, pw.path];
  assert.notEqual(newKey, shared.oldKey);
  assert.equal(sdkEncrypt(json.path, pw.path).status, 0);
  assert.equal(sdkEncrypt(...shared.oldFiles).status, 0, 'the old key still works until it is deleted');

  await panel.getByRole('button', { name: 'Done' }).click();
  const oldRow = page.getByRole('row', { name: new RegExp(shared.oldKey.replace(/\./g, '\\.')) });
  await oldRow.waitFor();
  assert.match(await oldRow.textContent(), /Encrypt from 127\.0\.0\.1|Decrypt from 127\.0\.0\.1/, 'last use of the old key');
  await shot('07-aap-two-keys');

  await oldRow.getByRole('link', { name: `Audit log of ${shared.oldKey}` }).click();
  await page.getByRole('heading', { level: 1, name: 'Audit' }).waitFor();
  await page.locator('#audit-summary', { hasText: `by ${shared.oldKey}` }).waitFor();
  const rows = page.locator('table tbody tr');
  assert.equal(await rows.count(), 4, 'two Encrypt and two Decrypt calls by the old key');
  const text = await page.locator('table').textContent();
  assert.ok(text.includes('Encrypt') && text.includes('127.0.0.1'));
  assert.ok(!text.includes(newKey), 'only the old key\'s calls');
  const ua = await page.locator('table tbody tr .ua').first().textContent();
  assert.ok(ua && ua !== '—', 'the SDK\'s user agent is shown');
  await page.locator('#audit-per-minute svg').waitFor(); // the old key's calls over time
  assert.match(await page.locator('#audit-per-minute svg').getAttribute('aria-label'), /: latest \d+\/min, at most [1-9]\d*\/min in /);
  await assertLabelled();
  await shot('08-audit-old-key');

  await go(`#/access?aap=e2e-app`, 'Application Access');
  await page.getByRole('button', { name: `Delete client key ${shared.oldKey}` }).click();
  await page.getByRole('row', { name: new RegExp(shared.oldKey.replace(/\./g, '\\.')) }).waitFor({ state: 'detached' });
  const refused = sdkEncrypt(...shared.oldFiles);
  assert.equal(refused.status, 3, `${refused.line}\n${refused.stderr}`);
  assert.match(refused.line, /^refused /);
  assert.equal(sdkEncrypt(json.path, pw.path).status, 0, 'the new key still works');
});

test('an AccessKey for the KMS OpenAPI: shown once, works with the kms20160120 client, listed with its use, refused once deleted', async () => {
  await go('#/access?aap=e2e-app', 'Application Access');
  await page.getByRole('button', { name: 'Create AccessKey' }).click();
  const creds = await page.getByLabel('AccessKey credentials').textContent();
  const id = /ALIBABA_CLOUD_ACCESS_KEY_ID=(\S+)/.exec(creds ?? '')?.[1];
  const secret = /ALIBABA_CLOUD_ACCESS_KEY_SECRET=(\S+)/.exec(creds ?? '')?.[1];
  assert.ok(id && secret, creds ?? '');
  await shot('07b-accesskey-created');
  const ok = openApiEncrypt(id, secret);
  assert.equal(ok.status, 0, `${ok.line}\n${ok.stderr}`);
  await page.getByRole('link', { name: 'Done' }).click();
  const row = page.getByRole('row', { name: new RegExp(id) });
  await row.waitFor();
  assert.ok(!(await page.content()).includes(secret), 'the secret is not on the page once done');
  let used = '';
  for (let i = 0; i < 20 && !/(Encrypt|Decrypt) from 127\.0\.0\.1/.test(used); i++) { // the audit writer batches its records
    await new Promise((ok) => setTimeout(ok, 250));
    await go(`#/access?aap=e2e-app&t=${i}`, 'Application Access');
    used = await page.getByRole('row', { name: new RegExp(id) }).textContent() ?? '';
  }
  assert.match(used, /\((Encrypt|Decrypt) from 127\.0\.0\.1\), 2 requests/);
  await page.getByRole('button', { name: `Delete AccessKey ${id}` }).click();
  await page.getByRole('row', { name: new RegExp(id) }).waitFor({ state: 'detached' });
  const refused = openApiEncrypt(id, secret);
  assert.equal(refused.status, 3, `${refused.line}\n${refused.stderr}`);
  assert.equal(refused.line, 'refused InvalidAccessKeyId.NotFound');
});

test('client keys near expiry are flagged at 180/90/30/7 days', async () => {
  const now = Date.now();
  for (const [name, days] of [['e2e-exp-100', 100], ['e2e-exp-20', 20], ['e2e-exp-5', 5]]) {
    await admin('CreateApplicationAccessPoint', { Name: name, Policies: ['e2e-policy'] });
    await admin('CreateClientKey', { AapName: name, Password: 'Expiring-key-1', NotBefore: new Date(now).toISOString(),
      NotAfter: new Date(now + days * 86_400_000 + 3_600_000).toISOString() });
  }
  await go('#/access', 'Application Access');
  const warn = page.locator('section.panel.warn');
  await warn.waitFor();
  assert.equal(await warn.locator('tbody tr').count(), 3, 'the quick-start (5 years) and e2e-app (1 year) keys are not flagged');
  assert.equal(await warn.locator('.badge.d180').count(), 1);
  assert.equal(await warn.locator('.badge.d30').count(), 1);
  assert.equal(await warn.locator('.badge.d7').count(), 1);
  assert.match(await warn.locator('.badge.d7').textContent(), /expires in 5 days/);
  await shot('09-access-expiry-warnings');

  await warn.getByRole('link', { name: 'e2e-exp-5' }).click();
  await page.getByRole('button', { name: 'Delete application access point' }).click();
  await page.waitForURL(/#\/access$/); // the page goes back to the list once the API said yes
  await page.locator('.loading').waitFor({ state: 'detached' });
  await page.locator('section.panel.warn').waitFor();
  assert.equal(await page.locator('section.panel.warn .badge.d7').count(), 0);
  assert.equal(await page.locator('section.panel.warn tbody tr').count(), 2, 'a deleted AAP\'s keys are no longer listed');
  await assert.rejects(admin('DescribeApplicationAccessPoint', { Name: 'e2e-exp-5' }), /404/);
});

test('quick creation hands out a working client key for every key in the instance', async () => {
  await go('#/access', 'Application Access');
  const quick = page.locator('#quick');
  await quick.getByLabel('Application access point name').fill('e2e-quick');
  await quick.getByLabel('Client key password').fill('Quick-key-3');
  await quick.getByLabel('Confirm password').fill('Quick-key-3');
  await quick.getByLabel('Validity').selectOption('2');
  await quick.getByRole('button', { name: 'Create' }).click();
  const panel = page.locator('.panel.created');
  await panel.waitFor();
  const json = await saveDownload(panel.getByRole('button', { name: /Download clientKey_.*\.json/ }));
  const pw = await saveDownload(panel.getByRole('button', { name: /Download clientKey_.*_Password\.txt/ }));
  assert.equal(sdkEncrypt(json.path, pw.path).status, 0);
  const [k] = (await admin('ListClientKeys', { AapName: 'e2e-quick' })).ClientKeys;
  const days = (Date.parse(k.NotAfter) - Date.parse(k.NotBefore)) / 86_400_000;
  assert.ok(days >= 730 && days <= 731, `the chosen two years, got ${days} days`);
});

test('network rules and policies list what was created; a bad edit is reported', async () => {
  await go('#/rules', 'Network Rules');
  assert.match(await page.getByRole('row', { name: /e2e-rule/ }).textContent(), /127\.0\.0\.1\/32, ::1/);
  await assertLabelled();
  await shot('10-network-rules');
  await go('#/policies', 'Policies');
  const row = page.getByRole('row', { name: /e2e-policy/ });
  assert.match(await row.textContent(), /CryptoServiceKeyUser.*key\/\*.*e2e-rule/);
  await page.getByLabel('Policy name').fill('bad-policy');
  await page.getByLabel('Accessible resources').fill('keys-everywhere');
  await page.getByRole('button', { name: 'Create policy' }).click();
  await page.locator('.field[data-param="Resources"] .field-error', { hasText: 'must be key/' }).waitFor();
  await assertLabelled();
  await shot('11-policies');
});

test('keys: create with spec, usage and alias; disable, enable, schedule and cancel deletion, new version', async () => {
  await go('#/keys', 'Keys');
  await page.getByLabel('Key spec').selectOption('EC_P256');
  assert.equal(await page.getByLabel('Key usage').inputValue(), 'SIGN/VERIFY');
  await page.getByLabel('Alias (optional)').fill('alias/e2e-signing');
  await assertLabelled();
  await page.getByRole('button', { name: 'Create key' }).click();
  await page.getByRole('heading', { name: /^Key key-/ }).waitFor();
  const state = page.locator('#key-state');
  assert.equal(await state.textContent(), 'Enabled');
  assert.ok((await page.getByRole('table', { name: 'Aliases' }).textContent()).includes('alias/e2e-signing'));
  await page.getByRole('button', { name: 'Disable' }).click();
  await page.locator('#key-state', { hasText: 'Disabled' }).waitFor();
  await page.getByRole('button', { name: 'Enable' }).click();
  await page.locator('#key-state', { hasText: 'Enabled' }).waitFor();
  await page.getByRole('button', { name: 'New key version' }).click();
  const versions = page.getByRole('table', { name: 'Key versions' }).locator('tbody tr');
  await versions.nth(1).waitFor();
  assert.match(await versions.nth(1).textContent(), /primary$/, 'the new version is the primary one');
  assert.doesNotMatch(await versions.nth(0).textContent(), /primary/);
  await page.getByLabel('Pending window (days)').fill('7');
  await page.getByRole('button', { name: 'Schedule deletion' }).click();
  await page.locator('#key-state', { hasText: 'PendingDeletion' }).waitFor();
  await shot('12-key-pending-deletion');
  await page.getByRole('button', { name: 'Cancel deletion' }).click();
  await page.locator('#key-state', { hasText: /Enabled|Disabled/ }).waitFor();
  await go('#/keys', 'Keys');
  assert.ok((await page.getByRole('table', { name: 'Keys' }).textContent()).includes('alias/e2e-signing'));
  await shot('13-keys');
});

test('bring your own key: an EXTERNAL key takes material wrapped with openssl under the downloaded key and token, serves the SDK, '
  + 'and refuses it once the material is deleted', async () => {
  const keyId = await createExternalKey('Aliyun_AES_256');
  assert.equal(await page.locator('#key-origin').textContent(), 'EXTERNAL');
  assert.match(sdkEncrypt(instance.QuickStart.ClientKeyFile, instance.QuickStart.PasswordFile, keyId).line, /Rejected\.PendingImport/);
  await assertLabelled();

  await page.getByLabel('Wrapping algorithm').selectOption('RSAES_OAEP_SHA_256');
  const work = await downloadImportParameters(keyId, 'byok');
  assert.ok((await page.getByLabel('Import token').inputValue()).startsWith(`kgit1.${keyId}.`), 'the token is filled in');
  const openssl = (args) => {
    const r = spawnSync('openssl', args, { cwd: work, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  };
  openssl(['rand', '-out', 'material.bin', '32']);
  openssl(['pkeyutl', '-encrypt', '-pubin', '-inkey', `wrappingKey_${keyId}.pem`, '-in', 'material.bin', '-out', 'encrypted.bin',
    '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256']);
  await page.getByLabel('Encrypted key material (file)').setInputFiles(join(work, 'encrypted.bin'));
  await page.getByRole('button', { name: 'Import key material' }).click();
  await page.locator('#key-state', { hasText: 'Enabled' }).waitFor();
  await shot('13b-key-imported');
  const used = sdkEncrypt(instance.QuickStart.ClientKeyFile, instance.QuickStart.PasswordFile, keyId);
  assert.equal(used.status, 0, `${used.line}\n${used.stderr}`);
  const audit = await admin('QueryAuditLog', { Plane: 'admin', ApiName: 'ImportKeyMaterial', Limit: 10 });
  assert.ok(JSON.stringify(audit).includes(keyId), 'the admin audit names the import');

  await page.getByRole('button', { name: 'Delete key material' }).click();
  await page.locator('#key-state', { hasText: 'PendingImport' }).waitFor();
  assert.match(sdkEncrypt(instance.QuickStart.ClientKeyFile, instance.QuickStart.PasswordFile, keyId).line, /Rejected\.PendingImport/);
});

test('bring your own key: a private key travels in the envelope the page offers for an RSA key', async () => {
  const keyId = await createExternalKey('RSA_2048', 'SIGN/VERIFY');
  assert.deepEqual(await page.getByLabel('Wrapping algorithm').locator('option').allTextContents(),
    ['RSA_AES_KEY_WRAP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1'], 'a private key is offered the envelope algorithms only');
  const work = await downloadImportParameters(keyId, 'byok-rsa');
  const sh = (script) => {
    const r = spawnSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: work, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  };
  sh(`openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out private.pem
openssl pkcs8 -topk8 -nocrypt -in private.pem -outform DER -out private.der
openssl rand -out aes.bin 32
openssl pkeyutl -encrypt -pubin -inkey wrappingKey_${keyId}.pem -in aes.bin -out aes-wrapped.bin \
  -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256
openssl enc -id-aes256-wrap-pad -K "$(od -An -tx1 -v aes.bin | tr -d ' \\n')" -iv A65959A6 -in private.der -out key-wrapped.bin
cat aes-wrapped.bin key-wrapped.bin > encrypted.bin`);
  await page.getByLabel('Encrypted key material (file)').setInputFiles(join(work, 'encrypted.bin'));
  await page.getByRole('button', { name: 'Import key material' }).click();
  await page.locator('#key-state', { hasText: 'Enabled' }).waitFor();
  assert.equal((await admin('DescribeKey', { KeyId: keyId })).KeyMetadata.KeyState, 'Enabled');
});

test('secrets: created with the value hidden, revealed on request, new version, delete and restore', async () => {
  await go('#/secrets', 'Secrets');
  await page.getByLabel('Secret name').fill('rds-e2e');
  assert.equal(await page.getByLabel('Secret value').getAttribute('type'), 'password');
  await page.getByLabel('Secret value').fill('s3cr3t-value-1');
  await page.getByRole('button', { name: 'Create secret' }).click();
  await page.getByRole('heading', { name: 'Secret rds-e2e' }).waitFor();
  assert.ok(!(await page.content()).includes('s3cr3t-value-1'), 'hidden until revealed');
  await page.getByRole('button', { name: 'Reveal the value of version v1' }).click();
  await page.locator('.secret-value', { hasText: 's3cr3t-value-1' }).waitFor();
  await shot('14-secret-revealed');
  await page.getByRole('button', { name: 'Hide value' }).click();
  assert.ok(!(await page.content()).includes('s3cr3t-value-1'));
  await page.getByLabel('New value').fill('s3cr3t-value-2');
  await page.getByRole('button', { name: 'Put new version' }).click();
  await page.getByRole('row', { name: /v2 ACSCurrent/ }).waitFor();
  assert.match(await page.getByRole('row', { name: /^v1/ }).textContent(), /ACSPrevious/);
  await page.getByRole('button', { name: 'Schedule deletion' }).click();
  await page.getByRole('button', { name: 'Restore secret' }).click();
  await page.getByRole('button', { name: 'Put new version' }).waitFor();
  await go('#/secrets', 'Secrets');
  assert.match(await page.getByRole('row', { name: /rds-e2e/ }).textContent(), /v2.*active/);
  await assertLabelled();
  await shot('15-secrets');
});

test('the Instance page draws the last hour from the gateway\'s own counters, and the drawings move with traffic', async () => {
  await go('#/instance', 'Instance');
  for (const id of ['chart-rps', 'chart-errors', 'chart-p99', 'chart-audit']) {
    await page.locator(`#${id} svg[role="img"]`).waitFor();
  }
  await page.locator('#storage', { hasText: /^audit .* of 256\.0 MB \(\d+ %\).*; disk .* free of / }).waitFor();
  const points = async () => page.locator('#chart-rps polyline').getAttribute('points');
  const before = await points();
  for (let i = 0; i < 3; i++) {
    assert.equal(sdkEncrypt(...shared.newFiles).status, 0);
  }
  // a sample every 10 s; the page redraws every 10 s
  await page.waitForFunction((was) => document.querySelector('#chart-rps polyline')?.getAttribute('points') !== was, before,
    { timeout: 30_000 });
  const label = await page.locator('#chart-rps svg').getAttribute('aria-label');
  const [, latest, most] = /^Requests per second: latest (\d+\.\d)\/s, at most (\d+\.\d)\/s in the last hour$/.exec(label) ?? [];
  assert.ok(Number(most) > 0 && Number(latest) >= 0, label);
  await shot('17-instance-last-hour');
});

test('the console is usable at laptop width and the audit page filters by API', async () => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await go('#/audit?ApiName=Encrypt', 'Audit');
  const apis = await page.locator('table tbody tr td:nth-child(2)').allTextContents();
  assert.ok(apis.length >= 4 && apis.every((a) => a === 'Encrypt'), `only Encrypt rows: ${apis}`);
  // a time window after every call finds nothing
  const later = new Date(Date.now() + 3_600_000);
  const local = new Date(later.getTime() - later.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  await page.getByLabel('From').fill(local);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.locator('#audit-summary', { hasText: 'No calls in this range.' }).waitFor();
  await page.getByLabel('From').fill('');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.locator('table tbody tr').first().waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling at 1024 px, got ${overflow}px`);
  // no id, time, API or code is broken mid-token; only the user agent wraps, at its spaces
  const broken = await page.evaluate(() => [...document.querySelectorAll('.audit-table tbody td')].filter((td) => !td.querySelector('.ua'))
    .filter((td) => { const r = document.createRange(); r.selectNodeContents(td); return r.getClientRects().length > 1; })
    .map((td) => td.textContent));
  assert.deepEqual(broken, [], 'cells wrapped at 1024 px');
  await page.getByLabel('Plane').selectOption('admin');
  await page.getByLabel('API').selectOption(''); // admin calls are named by their action
  await page.getByRole('button', { name: 'Search' }).click();
  await page.locator('table tbody tr td', { hasText: 'admin.token' }).first().waitFor();
  const admins = await page.locator('table tbody tr td:nth-child(2)').allTextContents();
  assert.ok(admins.length > 0 && admins.every((a) => a.endsWith(' (admin)')), `only admin calls: ${admins}`);
  await shot('16-audit-1024px');
});

/** Logs out, then in with {@code value}; waits for the Instance page unless {@code expectError}. */
async function loginAs(value, expectError) {
  if (await page.locator('#logout').isVisible()) {
    await page.locator('#logout').click();
  }
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  await page.getByLabel('Admin token').fill(value);
  await page.getByRole('button', { name: 'Log in' }).click();
  try {
    if (expectError) {
      await page.locator('.field-error', { hasText: expectError }).waitFor();
    } else {
      await page.locator('#instance-id', { hasText: instance.InstanceId }).waitFor();
    }
  } catch (e) {
    // say what the page showed instead (a failed login is otherwise only a timeout)
    await shot('failed-login');
    throw new Error(`${e.message}\npage: ${(await page.locator('body').innerText()).slice(0, 1500)}`);
  }
}

test('admin tokens: one is created and shown once, logs in with its role\'s menu, and is refused once revoked', async () => {
  await page.setViewportSize({ width: 1366, height: 900 });
  await go('#/tokens', 'Admin Tokens');
  await page.getByLabel('Role').selectOption('ReadOnly');
  await page.getByLabel('Description').fill('dashboard');
  await page.getByLabel('Expires in days').fill('30');
  await page.getByRole('button', { name: 'Create admin token' }).click();
  const value = await page.locator('.secret-once').inputValue();
  assert.match(value, /^kmsgw_[A-Za-z0-9_-]{43}$/);
  const row = page.locator('table tbody tr', { hasText: 'dashboard' });
  await row.waitFor();
  assert.match(await row.textContent(), /ReadOnly.*dashboard.*Active/);
  await assertLabelled();
  await shot('18-admin-tokens');
  await go('#/keys', 'Keys');
  await go('#/tokens', 'Admin Tokens');
  assert.ok(!(await page.content()).includes(value), 'shown once: not after navigating away');

  await loginAs(value);
  assert.match(await page.locator('#instance').textContent(), /· ReadOnly$/);
  await page.locator('#chart-rps svg').waitFor();
  const readOnlyMenu = await page.locator('#nav li:not([hidden]) a').allTextContents();
  assert.ok(readOnlyMenu.includes('Keys') && readOnlyMenu.includes('Admin Tokens'), readOnlyMenu.join());
  await go('#/tokens', 'Admin Tokens');
  await page.getByRole('button', { name: 'Create admin token' }).click();
  await page.locator('[role="alert"]', { hasText: 'has role ReadOnly; CreateAdminToken needs role Admin' }).waitFor();

  const auditor = await admin('CreateAdminToken', { Role: 'Auditor' });
  await loginAs(auditor.Token);
  assert.deepEqual(await page.locator('#nav li:not([hidden]) a').allTextContents(), ['Instance', 'Audit']);
  await page.locator('#charts', { hasText: 'need an admin token with role ReadOnly or Admin' }).waitFor();
  await shot('19-instance-as-auditor');

  const metrics = await admin('CreateAdminToken', { Role: 'Metrics' });
  await loginAs(metrics.Token, 'cannot use the console');

  await loginAs(token);
  await go('#/tokens', 'Admin Tokens');
  const tokenId = (await page.locator('table tbody tr', { hasText: 'dashboard' }).locator('td').first().textContent()).trim();
  await page.getByRole('button', { name: `Revoke admin token ${tokenId}` }).click();
  await page.locator('table tbody tr', { hasText: 'dashboard' }).filter({ hasText: 'Revoked' }).waitFor();
  await loginAs(value, 'was revoked');
  await loginAs(token);
});
