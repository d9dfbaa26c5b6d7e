// OpenID Connect login end to end, in Debian's headless Chromium: a real OpenID Provider (oidc-provider) on
// loopback with a login form, Porthole with its embedded local cluster. Log in at the provider, see the user,
// open a shell that the cluster runs as that (prefixed) user, log out, and find the shell closed and the old
// session refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startIdentityProvider, type TestIdentityProvider } from '../server/backend/testing/identity-provider.ts';
import { launchChromium, newTestPage } from './browser.ts';
import { startTestPorthole, type Porthole } from './porthole.ts';
import { eventually, openTerminal, panel, run } from './app.ts';

let idp: TestIdentityProvider;
let porthole: Porthole;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  idp = await startIdentityProvider({
    accounts: {
      alice: {
        password: 'wonderland',
        claims: { name: 'Alice Liddell', preferred_username: 'alice.liddell', groups: ['dev'] },
      },
    },
    clientSecret: 'e2e-client-secret',
  });
  porthole = await startTestPorthole({
    oidc: {
      issuerUrl: idp.issuer,
      clientId: idp.clientId,
      clientSecret: 'e2e-client-secret',
      scopes: ['openid', 'profile', 'groups'],
    },
  });
  idp.configure(porthole.oidc?.redirectUri ?? '');
  browser = await launchChromium();
  ({ context, page } = await newTestPage(browser, porthole.url));
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await porthole?.close();
  await idp?.close();
});

function localCluster() {
  const local = porthole.localCluster;
  if (!local) throw new Error('Porthole started without its local cluster');
  return local;
}

async function logInAtProvider(username: string, password: string): Promise<void> {
  await page.goto(porthole.url);
  await page.getByRole('link', { name: 'Log in with your identity provider' }).click();
  await page.waitForURL((url) => url.origin === idp.issuer);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('OpenID Connect login in the browser', () => {
  it('a wrong password stays at the provider, and Porthole has no session', async () => {
    await logInAtProvider('alice', 'not-the-password');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('wrong password');
    expect(new URL(page.url()).origin).toBe(idp.issuer);
    expect(porthole.sessions.size).toBe(0);
  });

  it('logs in at the provider and shows the user name', async () => {
    await logInAtProvider('alice', 'wonderland');
    await page.waitForURL((url) => url.origin === new URL(porthole.url).origin);
    await expect.poll(() => page.locator('.user-name').textContent(), { timeout: 20_000 }).toBe('alice.liddell');
    expect(await page.locator('.user-name').getAttribute('title')).toBe('groups: dev');
    await page.locator('.pod[data-pod]').first().waitFor({ timeout: 20_000 });
    // The address bar carries neither the code nor the state: the callback redirected to a clean path.
    expect(page.url()).toBe(porthole.url);
    const cookies = await context.cookies(porthole.url);
    const session = cookies.find((c) => c.name === 'porthole_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookies.find((c) => c.name === 'porthole_oidc')).toBeUndefined();
    expect(await page.evaluate(() => document.cookie)).not.toContain('porthole_session');
  });

  let tab: string;
  it('opens a shell that the local cluster runs as the prefixed user porthole:alice', async () => {
    tab = await openTerminal(page, 'shell');
    await run(page, tab, 'echo hello-$((6*7))', /^hello-42$/);
    const stream = localCluster()
      .streams()
      .filter((s) => s.open && s.subresource === 'exec')
      .at(-1);
    expect(stream?.user).toBe('porthole:alice');
  });

  it('log out closes the shell with the reason, and the session is gone on the server', async () => {
    const cookie = (await context.cookies(porthole.url)).find((c) => c.name === 'porthole_session');
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => page.getByRole('alertdialog').textContent()).toContain('You have logged out');
    const status = await eventually(
      () => panel(page, tab).locator('[data-status]').textContent(),
      (text) => (text ?? '').includes('logged out'),
    );
    expect(status).toContain('logged out');
    await eventually(
      () =>
        localCluster()
          .streams()
          .filter((s) => s.open).length,
      (n) => n === 0,
    );
    expect(
      localCluster()
        .streams()
        .filter((s) => s.open),
    ).toHaveLength(0);
    const replay = await fetch(`${porthole.url}porthole/api/session`, {
      headers: { Cookie: `porthole_session=${cookie?.value ?? ''}` },
    });
    expect(replay.status).toBe(401);
    // The login screen offers the provider again.
    expect(await page.getByRole('link', { name: 'Log in with your identity provider' }).count()).toBe(1);
  });
});
